//! Splitting a script into statements: at `;` outside strings, quoted names and comments. The
//! one splitter: the shell, `cordial run` and `-c` use it. Pieces holding nothing but
//! whitespace and comments are dropped, so a script's trailing comment or a doubled `;` is not
//! a statement.

/// Each statement of `text` (without its `;`) and its byte offset, in order.
#[must_use]
pub fn split_statements(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    // Whether the current piece has anything but whitespace and comments.
    let mut code = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => {
                code = true;
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if bytes[i] == b'\\' && quote != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b';' => {
                if code {
                    pieces.push((start, &text[start..i]));
                }
                start = i + 1;
                code = false;
            }
            b if !b.is_ascii_whitespace() => code = true,
            _ => {}
        }
        i += 1;
    }
    if code && start < text.len() {
        pieces.push((start, &text[start..]));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::split_statements;

    fn pieces(text: &str) -> Vec<&str> {
        split_statements(text).into_iter().map(|(_, p)| p).collect()
    }

    #[test]
    fn statements_split_outside_strings_and_comments() {
        let text = "RETURN 'a;b' AS x; // c;d\nRETURN 2 /* ; */;\n\n";
        assert_eq!(
            pieces(text),
            ["RETURN 'a;b' AS x", " // c;d\nRETURN 2 /* ; */"]
        );
    }

    #[test]
    fn pieces_of_only_comments_and_blanks_are_no_statements() {
        assert!(pieces("  ;; // just a comment\n /* and; another */ ;\n").is_empty());
        let text = "RETURN 1; // the end";
        assert_eq!(split_statements(text), [(0, "RETURN 1")]);
    }
}
