# Invalid strings, fields, combinations and units are errors (ArgumentError or TypeError), never panics.
Feature: Temporal errors

  Scenario Outline: Invalid arguments
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then an ArgumentError should be raised at runtime: *

    Examples:
      | expr                                                                          |
      | date('2015-02-30')                                                            |
      | date('2015-W54')                                                              |
      | date('2021-W53')                                                              |
      | date('2015-13')                                                               |
      | date('2015-7-1')                                                              |
      | date({year: 2015, month: 2, week: 3})                                         |
      | date({month: 2})                                                              |
      | date({year: 2015, day: 3})                                                    |
      | date({year: 2015, dayOfWeek: 3})                                              |
      | date({year: 2015, hour: 1})                                                   |
      | date({date: date('2020-02-29'), year: 2021})                                  |
      | localtime({minute: 3})                                                        |
      | localtime({hour: 1, minute: 2, millisecond: 3})                               |
      | localtime({hour: 1, minute: 2, second: 3, millisecond: 4, microsecond: 5000}) |
      | localtime({hour: 1, minute: 2, second: 3, nanosecond: 1000000000})            |
      | localtime({hour: 1, timezone: '+01:00'})                                      |
      | localtime('12:00+01:00')                                                      |
      | time({hour: 25})                                                              |
      | time({hour: 1, timezone: '+19:00'})                                           |
      | time('25:00')                                                                 |
      | datetime({year: 2020, timezone: 'Nowhere/City'})                              |
      | datetime('2020-01-01T12:00[Nowhere/City]')                                    |
      | datetime({epochSeconds: 1, year: 2020})                                       |
      | duration('P1H')                                                               |
      | duration('P')                                                                 |
      | duration('PT')                                                                |
      | duration('1D')                                                                |
      | duration('P1D2Y')                                                             |
      | duration({fortnights: 1})                                                     |
      | date.truncate('hour', date('2020-01-01'), {})                                 |
      | localtime.truncate('month', localtime('12:00'), {})                           |
      | date.truncate('fortnight', date('2020-01-01'), {})                            |
      | date.truncate('month', date('2020-02-10'), {day: 31})                         |

  Scenario Outline: Wrong types
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then a TypeError should be raised at runtime: *

    Examples:
      | expr                                               |
      | date(1)                                            |
      | duration({days: 'x'})                              |
      | date({year: 2015, month: 'May'})                   |
      | duration.between(date('2020-01-01'), 1)            |
      | localtime.truncate('hour', date('2020-01-01'), {}) |

  Scenario Outline: Out of range
    When executing query:
      """
      RETURN <expr> AS result
      """
    Then an ArithmeticError should be raised at runtime: *

    Examples:
      | expr                                                          |
      | date('-999999999-01-01')                                      |
      | date({year: 300000})                                          |
      | datetime.fromepoch(9223372036854775807, 0)                    |
      | duration('P1Y') / 0                                           |
      | duration({years: 9223372036854775807}) + duration({years: 1}) |
      | date('2020-01-01') + duration({days: 1000000000})             |
