//! Printing query results: aligned tables (cut to the terminal's width, or a vertical record
//! view when even cut columns would not fit), CSV, JSON, JSON Lines and Markdown. Knows nothing
//! of the shell's state: it gets columns, rows and a width and writes text.

use std::io::{self, Write};

use console::measure_text_width;

use crate::Value;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultFormat {
    Table,
    Csv,
    Json,
    Jsonl,
    Markdown,
}

impl ResultFormat {
    pub const NAMES: &'static [&'static str] = &["table", "csv", "json", "jsonl", "markdown"];

    #[must_use]
    pub fn parse(name: &str) -> Option<ResultFormat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "table" => ResultFormat::Table,
            "csv" => ResultFormat::Csv,
            "json" => ResultFormat::Json,
            "jsonl" | "ndjson" => ResultFormat::Jsonl,
            "markdown" | "md" => ResultFormat::Markdown,
            _ => return None,
        })
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ResultFormat::Table => "table",
            ResultFormat::Csv => "csv",
            ResultFormat::Json => "json",
            ResultFormat::Jsonl => "jsonl",
            ResultFormat::Markdown => "markdown",
        }
    }

    /// Whether the format is for programs: nothing but the data goes to its output.
    #[must_use]
    pub fn is_machine(self) -> bool {
        matches!(
            self,
            ResultFormat::Csv | ResultFormat::Json | ResultFormat::Jsonl
        )
    }
}

/// Limits for printing on a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The width to fit tables in; `None` prints them at their natural width.
    pub width: Option<usize>,
    /// Rows printed before the rest is summarised in a notice; `None` prints all.
    pub max_rows: Option<usize>,
}

/// Narrowest a cut column may become before the table switches to the vertical view: narrower
/// cells say too little to be worth a table.
const MIN_COLUMN: usize = 10;

/// Writes columns and rows in `format`; returns how many rows `layout.max_rows` left out.
pub fn write_rows(
    out: &mut dyn Write,
    columns: &[String],
    rows: &[&[Value]],
    format: ResultFormat,
    layout: Layout,
) -> io::Result<usize> {
    match format {
        ResultFormat::Table => write_table(out, columns, rows, layout),
        ResultFormat::Csv => write_csv(out, columns, rows).map(|()| 0),
        ResultFormat::Json => write_json(out, columns, rows).map(|()| 0),
        ResultFormat::Jsonl => write_jsonl(out, columns, rows).map(|()| 0),
        ResultFormat::Markdown => write_markdown(out, columns, rows).map(|()| 0),
    }
}

/// Writes rows in a format that needs no look ahead (CSV, JSON, JSON Lines, Markdown) as they
/// come from the cursor, so output starts with the first row and memory stays flat. Returns
/// how many rows were written; an error from the cursor (the statement failed part way) or
/// from writing ends it.
pub fn write_stream(
    out: &mut dyn Write,
    rows: &mut crate::db::Rows,
    format: ResultFormat,
) -> anyhow::Result<usize> {
    let columns = rows.columns().to_vec();
    let mut written = 0;
    match format {
        ResultFormat::Csv => {
            if columns.is_empty() {
                return drain(rows);
            }
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(&columns)?;
            for row in rows {
                writer.write_record(row?.values().iter().map(csv_field))?;
                written += 1;
            }
            writer.flush()?;
        }
        ResultFormat::Json => {
            if columns.is_empty() {
                return drain(rows);
            }
            writeln!(out, "[")?;
            for row in rows {
                let row = row?;
                let comma = if written > 0 { ",\n" } else { "" };
                write!(out, "{comma}  {}", json_object(&columns, row.values()))?;
                written += 1;
            }
            if written > 0 {
                writeln!(out)?;
            }
            writeln!(out, "]")?;
        }
        ResultFormat::Jsonl => {
            for row in rows {
                writeln!(out, "{}", json_object(&columns, row?.values()))?;
                written += 1;
            }
        }
        ResultFormat::Markdown | ResultFormat::Table => {
            if columns.is_empty() {
                return drain(rows);
            }
            write_markdown(out, &columns, &[])?;
            for row in rows {
                let cells: Vec<String> = row?.values().iter().map(markdown_cell).collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
                written += 1;
            }
        }
    }
    Ok(written)
}

/// Reads the rest of a result that prints nothing; its rows are counted.
fn drain(rows: &mut crate::db::Rows) -> anyhow::Result<usize> {
    let mut n = 0;
    for row in rows {
        row?;
        n += 1;
    }
    Ok(n)
}

/// A value as a table cell: strings and temporals bare, everything else as Cypher literals,
/// nodes as `(:Label {key: 'value'})`, relationships as `[:TYPE {key: 'value'}]`.
#[must_use]
pub fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        v if v.is_temporal() => v.to_cypher_string(),
        other => other.to_string(),
    }
}

/// A value for CSV: strings and temporals bare, null empty, numbers and booleans as written,
/// lists, maps, nodes, relationships and paths as JSON.
fn csv_field(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.to_string(),
        v if v.is_temporal() => v.to_cypher_string(),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => value.to_string(),
        other => json_value(other),
    }
}

fn json_value(value: &Value) -> String {
    // Serializing a value tree to a string cannot fail: keys are strings, and non-finite
    // floats become null.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn json_object(columns: &[String], row: &[Value]) -> String {
    let mut text = String::from("{");
    for (i, (column, value)) in columns.iter().zip(row).enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&serde_json::Value::String(column.clone()).to_string());
        text.push(':');
        text.push_str(&json_value(value));
    }
    text.push('}');
    text
}

fn write_csv(out: &mut dyn Write, columns: &[String], rows: &[&[Value]]) -> io::Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(columns).map_err(csv_io_error)?;
    for row in rows {
        writer
            .write_record(row.iter().map(csv_field))
            .map_err(csv_io_error)?;
    }
    writer.flush()
}

/// The csv crate's error as an `io::Error`, keeping the kind of an i/o failure (its own
/// conversion makes every error `Other`, so a closed pipe would no longer read as one).
fn csv_io_error(error: csv::Error) -> io::Error {
    match error.kind() {
        csv::ErrorKind::Io(io_error) => io::Error::new(io_error.kind(), io_error.to_string()),
        _ => io::Error::other(error),
    }
}

/// One JSON array of row objects, keys in column order.
fn write_json(out: &mut dyn Write, columns: &[String], rows: &[&[Value]]) -> io::Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    writeln!(out, "[")?;
    for (i, row) in rows.iter().enumerate() {
        let comma = if i + 1 < rows.len() { "," } else { "" };
        writeln!(out, "  {}{comma}", json_object(columns, row))?;
    }
    writeln!(out, "]")
}

fn write_jsonl(out: &mut dyn Write, columns: &[String], rows: &[&[Value]]) -> io::Result<()> {
    for row in rows {
        writeln!(out, "{}", json_object(columns, row))?;
    }
    Ok(())
}

fn markdown_cell(value: &Value) -> String {
    cell(value).replace('|', "\\|").replace('\n', "<br>")
}

fn write_markdown(out: &mut dyn Write, columns: &[String], rows: &[&[Value]]) -> io::Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let header: Vec<String> = columns.iter().map(|c| c.replace('|', "\\|")).collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    writeln!(
        out,
        "|{}|",
        columns.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    )?;
    for row in rows {
        let cells: Vec<String> = row.iter().map(markdown_cell).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// A cell on one line: line breaks and tabs shown as spaces, so rows stay one line high.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r', '\t'], " ")
}

/// Cuts `text` to `width` display columns, ending in an ellipsis when it was longer.
#[must_use]
pub fn truncate(text: &str, width: usize) -> String {
    if measure_text_width(text) <= width {
        return text.to_owned();
    }
    console::truncate_str(text, width, "…").into_owned()
}

fn pad(text: &str, width: usize, right_align: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(measure_text_width(text)));
    if right_align {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// Column widths that fit `limit`, cutting the widest columns first; `None` when even
/// `MIN_COLUMN` per column does not fit.
fn fit_widths(natural: &[usize], limit: usize) -> Option<Vec<usize>> {
    // A table row is "│ a │ b │": one border plus three characters per column.
    let overhead = 1 + 3 * natural.len();
    let total: usize = natural.iter().sum::<usize>() + overhead;
    if total <= limit {
        return Some(natural.to_vec());
    }
    let room = limit.checked_sub(overhead)?;
    if room < natural.iter().map(|n| (*n).min(MIN_COLUMN)).sum() {
        return None;
    }
    // Lower a common cap until the columns fit: narrow columns keep their width, wide ones are
    // cut to the cap, and what is left over is shared out from the left.
    let mut widths = natural.to_vec();
    let mut cap = natural.iter().copied().max().unwrap_or(0).min(room);
    loop {
        for (w, n) in widths.iter_mut().zip(natural) {
            *w = (*n).min(cap);
        }
        if widths.iter().sum::<usize>() <= room || cap <= MIN_COLUMN {
            break;
        }
        cap -= 1;
    }
    let mut left = room.saturating_sub(widths.iter().sum());
    for (w, n) in widths.iter_mut().zip(natural) {
        let more = (n - *w).min(left);
        *w += more;
        left -= more;
    }
    Some(widths)
}

fn is_numeric(value: &Value) -> bool {
    matches!(value, Value::Int(_) | Value::Float(_))
}

fn write_table(
    out: &mut dyn Write,
    columns: &[String],
    rows: &[&[Value]],
    layout: Layout,
) -> io::Result<usize> {
    if columns.is_empty() {
        return Ok(0);
    }
    let shown = layout.max_rows.map_or(rows.len(), |m| rows.len().min(m));
    let cells: Vec<Vec<String>> = rows[..shown]
        .iter()
        .map(|row| row.iter().map(|v| one_line(&cell(v))).collect())
        .collect();
    let natural: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|row| measure_text_width(&row[i]))
                .chain([measure_text_width(c)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = match layout.width {
        None => Some(natural),
        Some(limit) => fit_widths(&natural, limit),
    };
    let Some(widths) = widths else {
        write_vertical(out, columns, rows, shown)?;
        return Ok(rows.len() - shown);
    };
    let rule = |left: &str, mid: &str, right: &str| {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("{left}{}{right}", parts.join(mid))
    };
    writeln!(out, "{}", rule("┌", "┬", "┐"))?;
    let header: Vec<String> = columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| pad(&truncate(c, *w), *w, false))
        .collect();
    writeln!(out, "│ {} │", header.join(" │ "))?;
    writeln!(out, "{}", rule("├", "┼", "┤"))?;
    for (row, values) in cells.iter().zip(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .zip(values.iter())
            .map(|((text, w), v)| pad(&truncate(text, *w), *w, is_numeric(v)))
            .collect();
        writeln!(out, "│ {} │", line.join(" │ "))?;
    }
    writeln!(out, "{}", rule("└", "┴", "┘"))?;
    Ok(rows.len() - shown)
}

/// One block per row, one line per column: for results too wide for the terminal. Long values
/// wrap in the terminal instead of being cut.
fn write_vertical(
    out: &mut dyn Write,
    columns: &[String],
    rows: &[&[Value]],
    shown: usize,
) -> io::Result<()> {
    let name_width = columns
        .iter()
        .map(|c| measure_text_width(c))
        .max()
        .unwrap_or(0);
    for (i, row) in rows[..shown].iter().enumerate() {
        writeln!(out, "─[ row {} ]─", i + 1)?;
        for (column, value) in columns.iter().zip(row.iter()) {
            writeln!(out, "{} │ {}", pad(column, name_width, false), cell(value))?;
        }
    }
    Ok(())
}

/// "1 row", "2 rows".
#[must_use]
pub fn rows_text(n: usize) -> String {
    if n == 1 {
        "1 row".to_owned()
    } else {
        format!("{n} rows")
    }
}

/// What a statement changed, as "created 2 nodes, set 3 properties"; empty when nothing.
#[must_use]
pub fn stats_text(s: &crate::db::Stats) -> String {
    let parts = [
        (s.nodes_created, "created", "node"),
        (s.nodes_deleted, "deleted", "node"),
        (s.relationships_created, "created", "relationship"),
        (s.relationships_deleted, "deleted", "relationship"),
        (s.properties_set, "set", "property"),
        (s.properties_removed, "removed", "property"),
        (s.labels_added, "added", "label"),
        (s.labels_removed, "removed", "label"),
    ];
    parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, verb, noun)| {
            let plural = match (*n, *noun) {
                (1, _) => (*noun).to_owned(),
                (_, "property") => "properties".to_owned(),
                _ => format!("{noun}s"),
            };
            format!("{verb} {n} {plural}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_shrink_the_widest_columns_first() {
        assert_eq!(fit_widths(&[3, 40], 100), Some(vec![3, 40]));
        let fitted = fit_widths(&[3, 40, 30], 40).unwrap();
        assert_eq!(fitted[0], 3);
        assert_eq!(fitted.iter().sum::<usize>() + 10, 40);
        assert!(fitted[1] >= MIN_COLUMN && fitted[2] >= MIN_COLUMN);
        assert_eq!(fit_widths(&[30; 20], 40), None);
    }

    fn render(rows: &[Vec<Value>], layout: Layout) -> (String, usize) {
        let columns = vec!["name".to_owned(), "note".to_owned()];
        let rows: Vec<&[Value]> = rows.iter().map(Vec::as_slice).collect();
        let mut out = Vec::new();
        let left = write_rows(&mut out, &columns, &rows, ResultFormat::Table, layout).unwrap();
        (String::from_utf8(out).unwrap(), left)
    }

    #[test]
    fn wide_tables_are_cut_or_turned_vertical_and_long_ones_capped() {
        let long = "x".repeat(200);
        let rows = vec![vec![Value::from("Acme"), Value::from(long.as_str())]];
        let (cut, _) = render(
            &rows,
            Layout {
                width: Some(60),
                max_rows: None,
            },
        );
        assert!(cut.lines().all(|l| measure_text_width(l) <= 60), "{cut}");
        assert!(cut.contains("x…"), "{cut}");

        let (vertical, _) = render(
            &rows,
            Layout {
                width: Some(18),
                max_rows: None,
            },
        );
        assert!(vertical.starts_with("─[ row 1 ]─"), "{vertical}");
        assert!(vertical.contains(&format!("note │ {long}")), "{vertical}");

        let many: Vec<Vec<Value>> = (0..10).map(|i| vec![Value::Int(i), Value::Null]).collect();
        let (capped, left) = render(
            &many,
            Layout {
                width: None,
                max_rows: Some(3),
            },
        );
        assert_eq!(left, 7);
        assert_eq!(capped.lines().filter(|l| l.starts_with("│ ")).count(), 4);
    }

    #[test]
    fn truncation_ends_in_an_ellipsis() {
        assert_eq!(truncate("abcdefgh", 5), "abcd…");
        assert_eq!(truncate("abc", 5), "abc");
    }
}
