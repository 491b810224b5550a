//! The bundled sample company that backs `cordial demo`: a small customer graph of the standard
//! schema, written into a database in one transaction.

use crate::db::Database;
use crate::error::Result;

/// Questions to try on the sample company: what each asks, and the query.
pub const QUESTIONS: &[(&str, &str)] = &[
    (
        "Who in the company knows each customer?",
        "MATCH (s:Staff)-[:SERVES]->(c:Customer) RETURN c.name AS customer, collect(s.name) AS staff ORDER BY customer",
    ),
    (
        "Which competitors do customers mention, and how often?",
        "MATCH (:Interaction)-[m:MENTIONS]->(k:Competitor) RETURN k.name AS competitor, count(m) AS mentions ORDER BY mentions DESC",
    ),
    (
        "Which customers hang on one member of staff?",
        "MATCH (c:Customer)<-[:SERVES]-(s:Staff) WITH c, collect(s.name) AS staff WHERE size(staff) = 1 RETURN c.name AS customer, staff[0] AS only_contact",
    ),
];

const SCRIPT: &str = r"
CREATE (acme:Customer {id: 'c-1', name: 'Acme Tools', status: 'active', segment: 'enterprise', since: date('2023-02-01')}),
       (birch:Customer {id: 'c-2', name: 'Birch & Sons', status: 'active', segment: 'smb', since: date('2024-05-12')}),
       (cobalt:Customer {id: 'c-3', name: 'Cobalt Logistics', status: 'churned', segment: 'mid', since: date('2022-09-30'), churnedOn: date('2025-03-01'), churnReason: 'price'}),
       (ana:Staff {id: 's-1', name: 'Ana Ruiz', department: 'sales', status: 'active'}),
       (ben:Staff {id: 's-2', name: 'Ben Okafor', department: 'support', status: 'active'}),
       (cleo:Staff {id: 's-3', name: 'Cleo Park', department: 'sales', status: 'left'}),
       (dora:Contact {id: 'p-1', name: 'Dora Lind', email: 'dora@acme.example', status: 'active'}),
       (eli:Contact {id: 'p-2', name: 'Eli Stone', email: 'eli@birch.example', status: 'active'}),
       (rival:Competitor {id: 'k-1', name: 'Rivalry Inc'}),
       (cheap:Competitor {id: 'k-2', name: 'CheapCo'}),
       (suite:Product {id: 'pr-1', name: 'Cordial Suite', category: 'software'}),
       (dora)-[:WORKS_AT {since: date('2023-02-01')}]->(acme),
       (eli)-[:WORKS_AT {since: date('2024-05-12')}]->(birch),
       (ana)-[:SERVES {role: 'account manager', since: date('2023-02-01')}]->(acme),
       (ben)-[:SERVES {role: 'support', since: date('2023-03-01')}]->(acme),
       (ana)-[:SERVES {role: 'account manager', since: date('2024-05-12')}]->(birch),
       (cleo)-[:SERVES {role: 'account manager', since: date('2022-09-30')}]->(cobalt),
       (acme)-[:REFERRED {on: date('2024-05-01')}]->(birch),
       (acme)-[:HAS_INTERACTION]->(i1:Interaction {id: 'i-1', kind: 'meeting', channel: 'video', at: datetime('2025-06-03T10:00:00Z'), sentiment: 0.6}),
       (birch)-[:HAS_INTERACTION]->(i2:Interaction {id: 'i-2', kind: 'call', channel: 'phone', at: datetime('2025-07-14T15:30:00Z'), sentiment: -0.4}),
       (cobalt)-[:HAS_INTERACTION]->(i3:Interaction {id: 'i-3', kind: 'email', channel: 'email', at: datetime('2025-01-20T09:00:00Z'), sentiment: -0.7}),
       (ana)-[:PARTICIPATED_IN {role: 'host'}]->(i1), (dora)-[:PARTICIPATED_IN {role: 'attendee'}]->(i1),
       (ana)-[:PARTICIPATED_IN {role: 'host'}]->(i2), (eli)-[:PARTICIPATED_IN {role: 'attendee'}]->(i2),
       (cleo)-[:PARTICIPATED_IN {role: 'host'}]->(i3),
       (i2)-[:MENTIONS {topic: 'price', verdict: 'cheaper'}]->(cheap),
       (i3)-[:MENTIONS {topic: 'price', verdict: 'cheaper'}]->(cheap),
       (i1)-[:MENTIONS {topic: 'features', verdict: 'weaker'}]->(rival),
       (acme)-[:PLACED]->(o1:Order {id: 'o-1', orderedOn: date('2025-02-10'), status: 'paid', amount: 12000.0, currency: 'EUR', amountBase: 12000.0})-[:INCLUDES {quantity: 10}]->(suite),
       (birch)-[:PLACED]->(o2:Order {id: 'o-2', orderedOn: date('2025-06-01'), status: 'paid', amount: 2400.0, currency: 'EUR', amountBase: 2400.0})-[:INCLUDES {quantity: 2}]->(suite)
";

/// Writes the sample company into `db`, in one transaction.
pub fn install(db: &Database) -> Result<()> {
    let mut tx = db.begin_write()?;
    tx.execute(SCRIPT, crate::db::Params::new())?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sample_installs_and_answers_its_questions() {
        let db = crate::Database::in_memory().unwrap();
        super::install(&db).unwrap();
        for (_, query) in super::QUESTIONS {
            let result = db.query(query, crate::db::Params::new()).unwrap();
            assert!(!result.rows.is_empty(), "{query} has no answer");
        }
    }
}
