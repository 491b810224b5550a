//! A reader for the subset of Gherkin the openCypher TCK uses: features, an optional
//! background, scenarios and scenario outlines with examples, steps with doc strings and tables.
//! Outlines are expanded into one scenario per example row.

use std::path::{Path, PathBuf};

/// One step: its keyword-less text, and its doc string or table if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub text: String,
    pub doc: Option<String>,
    pub table: Vec<Vec<String>>,
    pub line: usize,
}

/// One runnable scenario (an outline row is one scenario).
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub file: PathBuf,
    pub feature: String,
    pub name: String,
    pub line: usize,
    /// The 1-based row of the outline's examples, for outlines.
    pub example: Option<usize>,
    pub steps: Vec<Step>,
}

impl Scenario {
    /// `Feature / Scenario [#row]`: how the expected-failures file names it.
    pub fn key(&self) -> String {
        match self.example {
            Some(row) => format!("{} / {} #{row}", self.feature, self.name),
            None => format!("{} / {}", self.feature, self.name),
        }
    }
}

#[derive(Debug)]
pub struct ParseError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

const KEYWORDS: [&str; 5] = ["Given ", "When ", "Then ", "And ", "But "];

/// Splits a table row `| a | b |` into trimmed cells, honouring `\|` and `\\` escapes.
pub fn table_cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('|') => cell.push('|'),
                Some('n') => cell.push('\n'),
                Some('\\') => cell.push('\\'),
                Some(other) => {
                    cell.push('\\');
                    cell.push(other);
                }
                None => cell.push('\\'),
            },
            '|' => {
                cells.push(cell.trim().to_owned());
                cell.clear();
            }
            c => cell.push(c),
        }
    }
    cells
}

/// Parses one feature file into its scenarios.
pub fn parse_feature(file: &Path, text: &str) -> Result<Vec<Scenario>, ParseError> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let err = |line: usize, message: &str| ParseError {
        file: file.to_path_buf(),
        line,
        message: message.to_owned(),
    };
    let mut feature = String::new();
    let mut background: Vec<Step> = Vec::new();
    let mut scenarios = Vec::new();
    // The block being read: Background (None name) or a scenario.
    enum Block {
        None,
        Background,
        Scenario {
            name: String,
            line: usize,
            outline: bool,
            steps: Vec<Step>,
            examples: Vec<Vec<String>>,
        },
    }
    let mut block = Block::None;
    let mut in_examples = false;
    let mut i = 0;
    let finish = |block: Block,
                  background: &[Step],
                  scenarios: &mut Vec<Scenario>,
                  feature: &str|
     -> Result<(), ParseError> {
        if let Block::Scenario {
            name,
            line,
            outline,
            steps,
            examples,
        } = block
        {
            let mut all = background.to_vec();
            all.extend(steps);
            if !outline {
                scenarios.push(Scenario {
                    file: file.to_path_buf(),
                    feature: feature.to_owned(),
                    name,
                    line,
                    example: None,
                    steps: all,
                });
                return Ok(());
            }
            let Some((header, rows)) = examples.split_first() else {
                return Err(ParseError {
                    file: file.to_path_buf(),
                    line,
                    message: "scenario outline without examples".into(),
                });
            };
            for (n, row) in rows.iter().enumerate() {
                let substitute = |s: &str| {
                    let mut out = s.to_owned();
                    for (k, v) in header.iter().zip(row) {
                        out = out.replace(&format!("<{k}>"), v);
                    }
                    out
                };
                let steps = all
                    .iter()
                    .map(|step| Step {
                        text: substitute(&step.text),
                        doc: step.doc.as_deref().map(substitute),
                        table: step
                            .table
                            .iter()
                            .map(|r| r.iter().map(|c| substitute(c)).collect())
                            .collect(),
                        line: step.line,
                    })
                    .collect();
                scenarios.push(Scenario {
                    file: file.to_path_buf(),
                    feature: feature.to_owned(),
                    name: name.clone(),
                    line,
                    example: Some(n + 1),
                    steps,
                });
            }
        }
        Ok(())
    };
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.trim();
        let number = i + 1;
        i += 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
            continue;
        }
        if let Some(name) = line.strip_prefix("Feature:") {
            feature = name.trim().to_owned();
        } else if line.starts_with("Background:") {
            finish(
                std::mem::replace(&mut block, Block::Background),
                &background,
                &mut scenarios,
                &feature,
            )?;
            in_examples = false;
        } else if let Some(rest) = line
            .strip_prefix("Scenario Outline:")
            .or_else(|| line.strip_prefix("Scenario Template:"))
        {
            finish(
                std::mem::replace(&mut block, Block::None),
                &background,
                &mut scenarios,
                &feature,
            )?;
            block = Block::Scenario {
                name: rest.trim().to_owned(),
                line: number,
                outline: true,
                steps: Vec::new(),
                examples: Vec::new(),
            };
            in_examples = false;
        } else if let Some(rest) = line.strip_prefix("Scenario:") {
            finish(
                std::mem::replace(&mut block, Block::None),
                &background,
                &mut scenarios,
                &feature,
            )?;
            block = Block::Scenario {
                name: rest.trim().to_owned(),
                line: number,
                outline: false,
                steps: Vec::new(),
                examples: Vec::new(),
            };
            in_examples = false;
        } else if line.starts_with("Examples:") || line.starts_with("Scenarios:") {
            in_examples = true;
        } else if line.starts_with('|') {
            let cells = table_cells(line);
            match &mut block {
                Block::Scenario { examples, .. } if in_examples => examples.push(cells),
                Block::Scenario { steps, .. } => steps
                    .last_mut()
                    .ok_or_else(|| err(number, "table before any step"))?
                    .table
                    .push(cells),
                Block::Background => background
                    .last_mut()
                    .ok_or_else(|| err(number, "table before any step"))?
                    .table
                    .push(cells),
                Block::None => return Err(err(number, "table outside a scenario")),
            }
        } else if line.starts_with("\"\"\"") {
            let indent = raw.len() - raw.trim_start().len();
            let mut doc = Vec::new();
            loop {
                let Some(next) = lines.get(i) else {
                    return Err(err(number, "unterminated doc string"));
                };
                i += 1;
                if next.trim() == "\"\"\"" {
                    break;
                }
                doc.push(next.get(indent..).unwrap_or_else(|| next.trim_start()));
            }
            let doc = doc.join("\n");
            let step = match &mut block {
                Block::Scenario { steps, .. } => steps.last_mut(),
                Block::Background => background.last_mut(),
                Block::None => None,
            };
            step.ok_or_else(|| err(number, "doc string before any step"))?
                .doc = Some(doc);
        } else if let Some(keyword) = KEYWORDS.iter().find(|k| line.starts_with(**k)) {
            let step = Step {
                text: line[keyword.len()..].trim().to_owned(),
                doc: None,
                table: Vec::new(),
                line: number,
            };
            match &mut block {
                Block::Scenario { steps, .. } => steps.push(step),
                Block::Background => background.push(step),
                Block::None => return Err(err(number, "step outside a scenario")),
            }
        } else {
            // Free text under a feature or scenario title is description.
            continue;
        }
    }
    finish(block, &background, &mut scenarios, &feature)?;
    Ok(scenarios)
}

/// Every `.feature` file below `dir`, sorted, parsed.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "feature") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut scenarios = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        scenarios.extend(parse_feature(&file, &text).map_err(|e| e.to_string())?);
    }
    Ok(scenarios)
}
