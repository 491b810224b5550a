//! Graph algorithms over projections of the stored graph (petgraph), reachable as
//! `CALL algo.<name>(...)`. Every procedure takes a configuration map with the projection
//! (`nodes`: labels, `relationships`: types, both default to all; `weightProperty`;
//! `direction`: 'NATURAL', 'REVERSE' or 'UNDIRECTED') plus its own settings. Reads the graph
//! only through `storage`'s traits; knows nothing of the database facade, the CLI or the
//! customer domain.

pub mod articulation_points;
pub mod betweenness;
pub mod components;
pub mod degree;
pub mod louvain;
pub mod node_similarity;
pub mod page_rank;
pub mod projection;
pub mod shortest_path;

use crate::procedure::ProcedureDef;

/// The `algo.*` procedures.
pub static PROCEDURES: &[ProcedureDef] = &[
    ProcedureDef {
        name: "algo.shortestPath",
        min_args: 2,
        max_args: 3,
        outputs: &["path", "cost"],
        description: "algo.shortestPath(source, target, {nodes, relationships, weightProperty, \
            direction: 'UNDIRECTED'}): one cheapest path between two nodes of the projection \
            (Dijkstra; each relationship costs its weightProperty, else 1). path; cost: the \
            sum of weights. No row when the target cannot be reached",
        writes: false,
        call: shortest_path::shortest_path,
    },
    ProcedureDef {
        name: "algo.allShortestPaths",
        min_args: 2,
        max_args: 3,
        outputs: &["path", "cost"],
        description: "algo.allShortestPaths(source, target, {nodes, relationships, \
            weightProperty, direction: 'UNDIRECTED', limit: 100}): every cheapest path \
            between two nodes, up to limit. path; cost",
        writes: false,
        call: shortest_path::all_shortest_paths,
    },
    ProcedureDef {
        name: "algo.pageRank",
        min_args: 0,
        max_args: 1,
        outputs: &["node", "score"],
        description: "algo.pageRank({nodes, relationships, weightProperty, direction: \
            'NATURAL', iterations: 20, dampingFactor: 0.85, tolerance: 1e-7}): PageRank of \
            every projected node; scores sum to 1. Over REFERRED it ranks advocates. node; \
            score",
        writes: false,
        call: page_rank::page_rank,
    },
    ProcedureDef {
        name: "algo.weaklyConnectedComponents",
        min_args: 0,
        max_args: 1,
        outputs: &["node", "componentId"],
        description: "algo.weaklyConnectedComponents({nodes, relationships}): the connected \
            component of every projected node, direction ignored. componentId: the smallest \
            node id in the component",
        writes: false,
        call: components::weakly_connected,
    },
    ProcedureDef {
        name: "algo.stronglyConnectedComponents",
        min_args: 0,
        max_args: 1,
        outputs: &["node", "componentId"],
        description: "algo.stronglyConnectedComponents({nodes, relationships}): the strongly \
            connected component (mutually reachable along relationship direction) of every \
            projected node. componentId: the smallest node id in the component",
        writes: false,
        call: components::strongly_connected,
    },
    ProcedureDef {
        name: "algo.betweenness",
        min_args: 0,
        max_args: 1,
        outputs: &["node", "score"],
        description: "algo.betweenness({nodes, relationships, direction: 'UNDIRECTED'}): \
            betweenness centrality (Brandes, unweighted): on how many shortest paths between \
            other nodes each node lies, counting split paths fractionally. node; score",
        writes: false,
        call: betweenness::betweenness,
    },
    ProcedureDef {
        name: "algo.articulationPoints",
        min_args: 0,
        max_args: 1,
        outputs: &["node"],
        description: "algo.articulationPoints({nodes, relationships}): the nodes whose removal \
            disconnects part of the graph (direction ignored): the single points a cluster \
            hangs on. node",
        writes: false,
        call: articulation_points::articulation_points,
    },
    ProcedureDef {
        name: "algo.degree",
        min_args: 0,
        max_args: 1,
        outputs: &["node", "degree"],
        description: "algo.degree({nodes, relationships, weightProperty, direction: \
            'NATURAL'}): relationships per projected node: outgoing (NATURAL), incoming \
            (REVERSE) or both (UNDIRECTED). degree: a count, or the sum of weights when \
            weightProperty is given",
        writes: false,
        call: degree::degree,
    },
    ProcedureDef {
        name: "algo.nodeSimilarity",
        min_args: 0,
        max_args: 1,
        outputs: &["node1", "node2", "similarity"],
        description: "algo.nodeSimilarity({nodes, relationships, direction: 'NATURAL', topK: \
            10, similarityCutoff: 0.0}): Jaccard similarity of neighbour sets (shared / all \
            neighbours) for pairs sharing a neighbour, e.g. customers buying the same \
            products; the topK most similar per node1, above the cutoff. node1; node2; \
            similarity",
        writes: false,
        call: node_similarity::node_similarity,
    },
    ProcedureDef {
        name: "algo.louvain",
        min_args: 0,
        max_args: 1,
        outputs: &["node", "communityId"],
        description: "algo.louvain({nodes, relationships, weightProperty, maxLevels: 10, \
            tolerance: 1e-9}): communities by modularity (the Louvain method, relationships \
            undirected). communityId: the smallest node id in the community",
        writes: false,
        call: louvain::louvain,
    },
];
