# temporal +/- duration, duration +/- duration, duration * and / numbers, duration.between and friends.
Feature: Temporal arithmetic

  Scenario Outline: Adding and subtracting durations
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                                                               | result                                     |
      | date('2020-01-31') + duration({months: 1})                         | '2020-02-29'                               |
      | date('2020-03-31') - duration('P1M')                               | '2020-02-29'                               |
      | date('2020-01-01') + duration('PT47H')                             | '2020-01-02'                               |
      | date('2020-01-01') - duration('PT47H')                             | '2019-12-31'                               |
      | duration('P1D') + date('2020-01-01')                               | '2020-01-02'                               |
      | localtime('23:00') + duration('PT2H')                              | '01:00'                                    |
      | localtime('23:00') + duration('P5DT2H')                            | '01:00'                                    |
      | time('00:30+05:00') - duration('PT1H')                             | '23:30+05:00'                              |
      | localdatetime('2020-02-29T12:00') + duration('P1Y')                | '2021-02-28T12:00'                         |
      | localdatetime('2020-12-31T23:59:59.5') + duration('PT0.5S')        | '2021-01-01T00:00'                         |
      | datetime('2021-03-27T12:00[Europe/Stockholm]') + duration('P1D')   | '2021-03-28T12:00+02:00[Europe/Stockholm]' |
      | datetime('2021-03-27T12:00[Europe/Stockholm]') + duration('PT24H') | '2021-03-28T13:00+02:00[Europe/Stockholm]' |
      | datetime('2021-03-27T12:00+01:00') + duration('P1D')               | '2021-03-28T12:00+01:00'                   |
      | duration('P1M') * 1.5                                              | 'P1M15DT5H14M33S'                          |
      | 2 * duration('PT1H30M')                                            | 'PT3H'                                     |
      | duration('PT1S') / 3                                               | 'PT0.333333333S'                           |
      | duration('P1D') * -1                                               | 'P-1D'                                     |
      | duration('P1D') / 2                                                | 'PT12H'                                    |
      | duration('P1Y') + duration('P-1Y1D')                               | 'P1D'                                      |
      | duration('PT0.6S') - duration('PT1S')                              | 'PT-0.4S'                                  |

  Scenario Outline: Durations between temporals
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                                                                                                               | result    |
      | duration.between(date('2020-01-31'), date('2020-03-01'))                                                           | 'P1M1D'   |
      | duration.between(date('2020-03-01'), date('2020-01-31'))                                                           | 'P-1M-1D' |
      | duration.inDays(date('2020-01-01'), date('2021-01-01'))                                                            | 'P366D'   |
      | duration.inMonths(date('2020-01-01'), date('2021-01-01'))                                                          | 'P1Y'     |
      | duration.inSeconds(datetime('2021-03-28T00:00[Europe/Stockholm]'), datetime('2021-03-29T00:00[Europe/Stockholm]')) | 'PT23H'   |
      | duration.between(datetime('2021-03-28T00:00[Europe/Stockholm]'), datetime('2021-03-29T00:00[Europe/Stockholm]'))   | 'P1D'     |
      | duration.inMonths(localdatetime('2020-01-31T12:00'), localdatetime('2020-02-29T11:00'))                            | 'PT0S'    |
      | duration.between(localtime('23:00'), localtime('01:00'))                                                           | 'PT-22H'  |
      | duration.between(time('10:00+02:00'), time('10:00Z'))                                                              | 'PT2H'    |
      | duration.between(datetime('2020-01-01T00:00+01:00'), datetime('2020-01-01T00:00-01:00'))                           | 'PT2H'    |
      | duration.inDays(localtime('10:00'), date('2020-01-01'))                                                            | 'PT0S'    |

  Scenario Outline: Duration properties
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                                                        | result   |
      | duration('P1Y2M3W4DT5H6M7.008009010S').years                | 1        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').months               | 14       |
      | duration('P1Y2M3W4DT5H6M7.008009010S').quarters             | 4        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').weeks                | 3        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').days                 | 25       |
      | duration('P1Y2M3W4DT5H6M7.008009010S').hours                | 5        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').minutes              | 306      |
      | duration('P1Y2M3W4DT5H6M7.008009010S').seconds              | 18367    |
      | duration('P1Y2M3W4DT5H6M7.008009010S').milliseconds         | 18367008 |
      | duration('P1Y2M3W4DT5H6M7.008009010S').monthsOfYear         | 2        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').monthsOfQuarter      | 2        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').daysOfWeek           | 4        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').minutesOfHour        | 6        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').secondsOfMinute      | 7        |
      | duration('P1Y2M3W4DT5H6M7.008009010S').microsecondsOfSecond | 8009     |
      | duration('P1Y2M3W4DT5H6M7.008009010S').nanosecondsOfSecond  | 8009010  |

  Scenario Outline: Instant properties
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                                                          | result   |
      | date('2021-01-03').weekYear                                   | 2020     |
      | date('2021-01-03').week                                       | 53       |
      | date('2021-01-03').dayOfWeek                                  | 7        |
      | date('2021-01-03').dayOfQuarter                               | 3        |
      | date('2021-08-03').quarter                                    | 3        |
      | date('2021-08-03').dayOfQuarter                               | 34       |
      | datetime('2020-06-15T10:20:30.123456789-02:30').offset        | '-02:30' |
      | datetime('2020-06-15T10:20:30.123456789-02:30').offsetMinutes | -150     |
      | datetime('2020-06-15T10:20:30.123456789-02:30').timezone      | '-02:30' |
      | datetime('2020-06-15T10:20:30.123456789Z').timezone           | 'Z'      |
      | datetime('2020-06-15T10:20:30.123456789Z').offset             | '+00:00' |
      | datetime('1970-01-01T00:00:01.5+01:00').epochMillis           | -3598500 |
      | datetime('1970-01-01T00:00:01.5+01:00').epochSeconds          | -3599    |
      | time('10:00:00.5+01:00').millisecond                          | 500      |
      | localdatetime('2020-06-15T10:20:30').ordinalDay               | 167      |
