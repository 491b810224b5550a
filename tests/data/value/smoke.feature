Feature: smoke
  Scenario: parse a date
    When executing query:
      """
      RETURN date('2015-07-21') AS d
      """
    Then the result should be, in any order:
      | d            |
      | '2015-07-21' |
