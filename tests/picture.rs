//! Pictures of query results: the SVG parses as XML and shows every returned node's caption and
//! every relationship's type; DOT and Mermaid name every node and edge; relationships returned
//! without their nodes bring their endpoints; awkward captions are escaped; `cordial show`
//! writes a picture from the command line.

use std::collections::BTreeSet;
use std::process::Command;

use cordial::picture::{self, PictureFormat};
use cordial::{Database, Map, Value};

fn crm() -> Database {
    let db = Database::in_memory().unwrap();
    db.query_all(
        "CREATE (a:Customer {id: 'c1', name: 'Acme & Sons <Ltd>'}),
                (b:Customer {id: 'c2', name: 'Beta \"Quoted\" Co'}),
                (k:Contact {id: 'k1', name: 'Ann'}),
                (t:Ticket {id: 't1', title: 'Broken login'}),
                (o:Opportunity {id: 'o1'}),
                (k)-[:WORKS_AT]->(a), (t)-[:RAISED_BY]->(k), (o)-[:FOR]->(a),
                (a)-[:PARTNER_OF]->(b), (b)-[:PARTNER_OF]->(a), (a)-[:PARTNER_OF]->(a)",
        Map::new(),
    )
    .unwrap();
    db
}

fn render(db: &Database, query: &str, format: PictureFormat) -> String {
    let result = db.query_all(query, Map::new()).unwrap();
    picture::render(&result, &db.begin_read(), format).unwrap()
}

/// Every text node of the SVG's `<text>` elements.
fn svg_texts(svg: &str) -> BTreeSet<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect()
}

#[test]
fn svg_parses_and_shows_every_node_and_relationship_type() {
    let db = crm();
    let svg = render(&db, "MATCH p = (x)-[r]->(y) RETURN p", PictureFormat::Svg);
    let texts = svg_texts(&svg);
    for caption in [
        "Acme & Sons <Ltd>",
        "Beta \"Quoted\" Co",
        "Ann",
        "Broken login",
        // No name or title: the id.
        "o1",
    ] {
        assert!(texts.contains(caption), "{caption} missing from {texts:?}");
    }
    for rel_type in ["WORKS_AT", "RAISED_BY", "FOR", "PARTNER_OF"] {
        assert!(texts.contains(rel_type), "{rel_type} missing");
    }
    // The legend names each label.
    for label in ["Customer", "Contact", "Ticket", "Opportunity"] {
        assert!(texts.contains(label), "legend lacks {label}");
    }
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    // Five nodes and four legend dots.
    assert_eq!(circles, 9);
    // Same query, same picture.
    assert_eq!(
        svg,
        render(&db, "MATCH p = (x)-[r]->(y) RETURN p", PictureFormat::Svg)
    );
}

#[test]
fn relationships_alone_bring_their_endpoints() {
    let db = crm();
    let result = db
        .query_all("MATCH ()-[r:WORKS_AT]->() RETURN r", Map::new())
        .unwrap();
    let sub = picture::collect(&result, &db.begin_read()).unwrap();
    let captions: BTreeSet<String> = sub.nodes.iter().map(picture::caption).collect();
    assert_eq!(
        captions,
        BTreeSet::from(["Ann".to_owned(), "Acme & Sons <Ltd>".to_owned()])
    );
    let texts = svg_texts(&render(
        &db,
        "MATCH ()-[r:WORKS_AT]->() RETURN r",
        PictureFormat::Svg,
    ));
    assert!(texts.contains("Ann") && texts.contains("Acme & Sons <Ltd>"));
}

#[test]
fn nodes_inside_lists_and_maps_are_found_once() {
    let db = crm();
    let result = db
        .query_all(
            "MATCH (c:Customer) WITH collect(c) AS cs MATCH (k:Contact) \
             RETURN cs, {who: k, again: cs} AS m",
            Map::new(),
        )
        .unwrap();
    let sub = picture::collect(&result, &db.begin_read()).unwrap();
    assert_eq!(sub.nodes.len(), 3);
    assert!(sub.relationships.is_empty());
}

#[test]
fn dot_names_every_node_and_edge() {
    let db = crm();
    let result = db
        .query_all("MATCH (x)-[r]->(y) RETURN x, r, y", Map::new())
        .unwrap();
    let dot = picture::render(&result, &db.begin_read(), PictureFormat::Dot).unwrap();
    assert!(dot.starts_with("digraph"));
    let sub = picture::collect(&result, &db.begin_read()).unwrap();
    assert_eq!(sub.nodes.len(), 5);
    assert_eq!(sub.relationships.len(), 6);
    for n in &sub.nodes {
        assert!(dot.contains(&format!("  n{} [label=", n.id.0)), "{dot}");
    }
    for r in &sub.relationships {
        let edge = format!(
            "  n{} -> n{} [label=\"{}\"];",
            r.start.0, r.end.0, r.rel_type
        );
        assert!(dot.contains(&edge), "{edge} missing from {dot}");
    }
    assert!(dot.contains(r#"label="Beta \"Quoted\" Co""#), "{dot}");
}

#[test]
fn mermaid_names_every_node_and_edge() {
    let db = crm();
    let result = db
        .query_all("MATCH (x)-[r]->(y) RETURN x, r, y", Map::new())
        .unwrap();
    let mermaid = picture::render(&result, &db.begin_read(), PictureFormat::Mermaid).unwrap();
    assert!(mermaid.starts_with("flowchart LR\n"));
    let sub = picture::collect(&result, &db.begin_read()).unwrap();
    for n in &sub.nodes {
        assert!(mermaid.contains(&format!("  n{}[\"", n.id.0)), "{mermaid}");
    }
    for r in &sub.relationships {
        let edge = format!("  n{} -->|\"{}\"| n{}", r.start.0, r.rel_type, r.end.0);
        assert!(mermaid.contains(&edge), "{edge} missing from {mermaid}");
    }
    assert!(mermaid.contains("Beta #quot;Quoted#quot; Co"), "{mermaid}");
}

#[test]
fn an_empty_result_is_an_empty_picture() {
    let db = crm();
    let svg = render(&db, "MATCH (n:Nobody) RETURN n", PictureFormat::Svg);
    assert!(svg_texts(&svg).is_empty());
    let result = db.query_all("RETURN 1 AS x", Map::new()).unwrap();
    assert_eq!(
        picture::collect(&result, &db.begin_read()).unwrap(),
        picture::Subgraph::default()
    );
}

#[test]
fn control_characters_in_captions_do_not_break_the_xml() {
    let db = Database::in_memory().unwrap();
    db.query_all(
        "CREATE (:X {name: $n})",
        cordial::params! {"n" => Value::String("bell\u{7} tab\t nul\u{0} end".into())},
    )
    .unwrap();
    let texts = svg_texts(&render(&db, "MATCH (x) RETURN x", PictureFormat::Svg));
    assert!(texts.contains("bell tab  nul end"), "{texts:?}");
}

#[test]
fn cordial_show_writes_a_picture() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("crm.db");
    {
        let db = Database::open(&path).unwrap();
        db.query_all(
            "CREATE (:Customer {id: 'c1', name: 'Acme'})<-[:WORKS_AT]-(:Contact {name: 'Ann'})",
            Map::new(),
        )
        .unwrap();
        db.close().unwrap();
    }
    let out_file = tmp.path().join("acme.svg");
    let out = Command::new(env!("CARGO_BIN_EXE_cordial"))
        .args([
            "show",
            "--query",
            "MATCH p = (c:Customer {id: $id})--() RETURN p",
            "--param",
            "id=c1",
            "--out",
        ])
        .arg(&out_file)
        .arg("--db")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let texts = svg_texts(&std::fs::read_to_string(&out_file).unwrap());
    assert!(texts.contains("Acme") && texts.contains("Ann") && texts.contains("WORKS_AT"));
    let out = Command::new(env!("CARGO_BIN_EXE_cordial"))
        .args([
            "show",
            "--format",
            "mermaid",
            "--query",
            "MATCH (c)-[r]->(x) RETURN c, r, x",
        ])
        .arg("--db")
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("-->|\"WORKS_AT\"|"), "{stdout}");
}
