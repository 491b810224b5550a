# date/time/localtime/localdatetime/datetime.truncate(unit, value, overrides).
Feature: Truncating temporals

  Scenario Outline: Truncation
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then the result should be, in any order:
      | result   |
      | <result> |

    Examples:
      | expr                                                                                                             | result                                     |
      | date.truncate('decade', date('2019-07-04'), {})                                                                  | '2010-01-01'                               |
      | date.truncate('century', date('2000-05-05'), {})                                                                 | '2000-01-01'                               |
      | date.truncate('millennium', date('1999-12-31'), {})                                                              | '1000-01-01'                               |
      | date.truncate('week', date('2021-01-03'), {})                                                                    | '2020-12-28'                               |
      | date.truncate('weekYear', date('2021-01-03'), {})                                                                | '2019-12-30'                               |
      | date.truncate('quarter', date('2020-05-20'), {dayOfQuarter: 10})                                                 | '2020-04-10'                               |
      | date.truncate('year', localdatetime('2020-05-20T10:00'), {month: 7})                                             | '2020-07-01'                               |
      | date.truncate('day', datetime('2020-05-20T23:00-05:00'), {})                                                     | '2020-05-20'                               |
      | localtime.truncate('hour', localtime('10:59:59.9'), {minute: 15})                                                | '10:15'                                    |
      | localtime.truncate('day', time('10:59:59.9+01:00'), {})                                                          | '00:00'                                    |
      | localtime.truncate('millisecond', localtime('10:59:59.123456789'), {})                                           | '10:59:59.123'                             |
      | time.truncate('minute', datetime('2020-01-01T10:11:12[Europe/Stockholm]'), {})                                   | '10:11+01:00'                              |
      | time.truncate('second', localtime('10:11:12.5'), {timezone: '-03:00'})                                           | '10:11:12-03:00'                           |
      | localdatetime.truncate('day', datetime('2020-01-01T10:11:12+05:00'), {hour: 7})                                  | '2020-01-01T07:00'                         |
      | localdatetime.truncate('minute', localdatetime('2020-01-01T10:11:12'), {})                                       | '2020-01-01T10:11'                         |
      | datetime.truncate('month', datetime('2021-03-31T10:00[Europe/Stockholm]'), {})                                   | '2021-03-01T00:00+01:00[Europe/Stockholm]' |
      | datetime.truncate('day', localdatetime('2021-03-28T10:00'), {timezone: 'Europe/Stockholm', hour: 2, minute: 30}) | '2021-03-28T03:30+02:00[Europe/Stockholm]' |
      | datetime.truncate('hour', datetime('2021-01-01T10:45+04:00'), {})                                                | '2021-01-01T10:00+04:00'                   |
      | datetime.truncate('nanosecond', datetime('2021-01-01T10:45:00.000000001Z'), {})                                  | '2021-01-01T10:45:00.000000001Z'           |
      | datetime.truncate('week', date('2021-01-07'), {})                                                                | '2021-01-04T00:00Z'                        |
