# Map forms, bases with overrides, epoch fields and fractional durations.
Feature: Constructing temporals from maps

  Scenario Outline: Construction
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                                                                        | result                                     |
      | date({year: 2020, week: 53, dayOfWeek: 5})                                  | '2021-01-01'                               |
      | date({year: 2020, quarter: 4, dayOfQuarter: 92})                            | '2020-12-31'                               |
      | date({year: 2021, ordinalDay: 365})                                         | '2021-12-31'                               |
      | date({date: date('2021-05-19'), dayOfWeek: 1})                              | '2021-05-17'                               |
      | date({date: date('2021-05-19'), ordinalDay: 1, year: 2000})                 | '2000-01-01'                               |
      | date({date: datetime('2021-05-19T23:00-05:00'), month: 2, day: 3})          | '2021-02-03'                               |
      | localtime({time: localtime('10:11:12.123456789'), nanosecond: 5})           | '10:11:12.123456005'                       |
      | localtime({time: localtime('10:11:12.123456789'), millisecond: 7})          | '10:11:12.007456789'                       |
      | localtime({time: localtime('10:11:12.123456789'), microsecond: 7000})       | '10:11:12.007000789'                       |
      | time({hour: 12, timezone: '+14:00'})                                        | '12:00+14:00'                              |
      | time({time: datetime('2020-06-01T12:00[Europe/Stockholm]'), timezone: 'Z'}) | '10:00Z'                                   |
      | time({time: time('23:30-01:00'), timezone: '+01:00'})                       | '01:30+01:00'                              |
      | datetime({epochSeconds: 1, nanosecond: 5})                                  | '1970-01-01T00:00:01.000000005Z'           |
      | datetime({epochMillis: -1})                                                 | '1969-12-31T23:59:59.999Z'                 |
      | datetime({epochSeconds: 0, timezone: 'Asia/Kolkata'})                       | '1970-01-01T05:30+05:30[Asia/Kolkata]'     |
      | datetime({year: 2020, month: 6, day: 1, timezone: 'America/New_York'})      | '2020-06-01T00:00-04:00[America/New_York]' |
      | localdatetime({date: date('2020-01-01'), time: time('10:00+05:00')})        | '2020-01-01T10:00'                         |
      | datetime(localdatetime('2020-01-01T10:00'))                                 | '2020-01-01T10:00Z'                        |
      | datetime(date('2020-01-01'))                                                | '2020-01-01T00:00Z'                        |
      | time(localtime('10:00'))                                                    | '10:00Z'                                   |
      | localtime(datetime('2020-01-01T10:00+03:00'))                               | '10:00'                                    |
      | duration({hours: -1.5})                                                     | 'PT-1H-30M'                                |
      | duration({years: 1, months: -13})                                           | 'P-1M'                                     |
      | duration({quarters: 1, weeks: 1})                                           | 'P3M7D'                                    |
      | duration({days: 0.3})                                                       | 'PT7H12M'                                  |
      | duration({seconds: 1.000000001})                                            | 'PT1.000000001S'                           |
      | duration(duration('P1D'))                                                   | 'P1D'                                      |
      | datetime.fromepoch(0, 1)                                                    | '1970-01-01T00:00:00.000000001Z'           |
      | datetime.fromepochmillis(-1000)                                             | '1969-12-31T23:59:59Z'                     |
