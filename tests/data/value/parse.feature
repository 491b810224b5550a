# ISO 8601 forms accepted by date(), localtime(), time(), localdatetime(), datetime() and duration().
Feature: Parsing temporal strings

  Scenario Outline: Dates
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                 | result         |
      | date('1999-12-31')   | '1999-12-31'   |
      | date('19991231')     | '1999-12-31'   |
      | date('1999-12')      | '1999-12-01'   |
      | date('199912')       | '1999-12-01'   |
      | date('2009-W53-7')   | '2010-01-03'   |
      | date('2009W537')     | '2010-01-03'   |
      | date('2020-W01')     | '2019-12-30'   |
      | date('2020-366')     | '2020-12-31'   |
      | date('2021060')      | '2021-03-01'   |
      | date('1816-Q2')      | '1816-04-01'   |
      | date('2020-Q3-45')   | '2020-08-14'   |
      | date('2020Q345')     | '2020-08-14'   |
      | date('1984')         | '1984-01-01'   |
      | date('+12345-06-07') | '+12345-06-07' |
      | date('-0044-03-15')  | '-0044-03-15'  |
      | date('0000-01-01')   | '0000-01-01'   |

  Scenario Outline: Times
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                          | result               |
      | localtime('235959.999999999') | '23:59:59.999999999' |
      | localtime('00:00:00.000')     | '00:00'              |
      | localtime('07:05:03,5')       | '07:05:03.5'         |
      | localtime('0705')             | '07:05'              |
      | time('12:00:00+0130')         | '12:00+01:30'        |
      | time('1200Z')                 | '12:00Z'             |
      | time('12-01:02:03')           | '12:00-01:02:03'     |
      | time('08:15:30.25')           | '08:15:30.25Z'       |

  Scenario Outline: Datetimes
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                                                 | result                                     |
      | localdatetime('2020-W10-3T10:20:30.4')               | '2020-03-04T10:20:30.4'                    |
      | localdatetime('2020-060T00:00')                      | '2020-02-29T00:00'                         |
      | localdatetime('2020-02-29')                          | '2020-02-29T00:00'                         |
      | datetime('2015-07-21')                               | '2015-07-21T00:00Z'                        |
      | datetime('2020-01-01T00:00:00.000000001-18:00')      | '2020-01-01T00:00:00.000000001-18:00'      |
      | datetime('2020-01-01T00:00[UTC]')                    | '2020-01-01T00:00Z[UTC]'                   |
      | datetime('2021-03-28T02:30[Europe/Stockholm]')       | '2021-03-28T03:30+02:00[Europe/Stockholm]' |
      | datetime('2021-10-31T02:30[Europe/Stockholm]')       | '2021-10-31T02:30+02:00[Europe/Stockholm]' |
      | datetime('2021-10-31T02:30+01:00[Europe/Stockholm]') | '2021-10-31T02:30+01:00[Europe/Stockholm]' |
      | datetime('2021-06-01T12:00+05:00[Europe/Stockholm]') | '2021-06-01T09:00+02:00[Europe/Stockholm]' |

  Scenario Outline: Durations
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                               | result               |
      | duration('PT1H1M1.000000001S')     | 'PT1H1M1.000000001S' |
      | duration('-P1D')                   | 'P-1D'               |
      | duration('P1Y-2M')                 | 'P10M'               |
      | duration('PT-90M')                 | 'PT-1H-30M'          |
      | duration('P0.5Y')                  | 'P6M'                |
      | duration('PT1,5S')                 | 'PT1.5S'             |
      | duration('P1W')                    | 'P7D'                |
      | duration('P1DT0S')                 | 'P1D'                |
      | duration('PT36H')                  | 'PT36H'              |
      | duration('PT0S')                   | 'PT0S'               |
      | duration('P0001-02-03T04:05:06')   | 'P1Y2M3DT4H5M6S'     |
      | duration('P0001-02-03T04:05:06.5') | 'P1Y2M3DT4H5M6.5S'   |
      | duration('PT-0.5S')                | 'PT-0.5S'            |
