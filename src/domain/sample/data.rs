//! The sample company's fixed tables: products, competitors, staff, and the names and places
//! the generator draws from.

pub(super) const PRODUCTS: &[(&str, &str, &str, f64)] = &[
    ("prd-aurora", "Aurora Suite", "software", 1200.0),
    ("prd-beacon", "Beacon Sensor Kit", "hardware", 900.0),
    ("prd-relay", "Relay Gateway", "hardware", 2400.0),
    ("prd-compass", "Compass Analytics", "software", 1800.0),
    ("prd-harbor", "Harbor Support Plan", "service", 600.0),
    ("prd-lumen", "Lumen Training", "training", 400.0),
    ("prd-atlas", "Atlas Integration", "service", 3000.0),
    ("prd-nimbus", "Nimbus Cloud Storage", "subscription", 150.0),
];

/// Competitors: id, name, strengths, weaknesses, the topic customers raise, and the loss
/// reason they win on.
pub(super) const COMPETITORS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "cmp-brightwave",
        "Brightwave",
        "aggressive pricing",
        "thin support",
        "price",
        "price",
    ),
    (
        "cmp-ironclad",
        "Ironclad Systems",
        "feature depth",
        "steep learning curve",
        "feature",
        "features",
    ),
    (
        "cmp-quartzline",
        "Quartzline",
        "white-glove service",
        "expensive",
        "service",
        "relationship",
    ),
    (
        "cmp-tidewell",
        "Tidewell",
        "fast delivery",
        "narrow range",
        "delivery",
        "delivery",
    ),
    (
        "cmp-vantage",
        "Vantage Nine",
        "new products every quarter",
        "unproven",
        "new_product",
        "roadmap",
    ),
];

/// Staff: id, name, department, title.
pub(super) const STAFF: &[(&str, &str, &str, &str)] = &[
    (
        "stf-nadia",
        "Nadia Brandt",
        "sales",
        "Senior Account Executive",
    ),
    ("stf-tom", "Tom Ferreira", "sales", "Account Executive"),
    ("stf-ravi", "Ravi Menon", "sales", "Account Executive"),
    ("stf-lucia", "Lucía Ortega", "sales", "Account Executive"),
    (
        "stf-owen",
        "Owen Gallagher",
        "sales",
        "Sales Development Rep",
    ),
    ("stf-mei", "Mei Tanaka", "sales", "Account Executive"),
    ("stf-jonas", "Jonas Lindqvist", "sales", "Sales Director"),
    (
        "stf-ines",
        "Inês Duarte",
        "service",
        "Customer Success Manager",
    ),
    (
        "stf-hugo",
        "Hugo Martin",
        "service",
        "Customer Success Manager",
    ),
    (
        "stf-amara",
        "Amara Okafor",
        "service",
        "Customer Success Manager",
    ),
    (
        "stf-pieter",
        "Pieter de Vries",
        "service",
        "Account Manager",
    ),
    (
        "stf-sofia",
        "Sofia Rossi",
        "service",
        "Head of Customer Success",
    ),
    ("stf-victor", "Victor Lang", "support", "Support Engineer"),
    ("stf-grace", "Grace Kim", "support", "Support Engineer"),
    ("stf-dmitri", "Dmitri Volkov", "support", "Support Engineer"),
    ("stf-leila", "Leila Haddad", "support", "Support Lead"),
    ("stf-ben", "Ben Carter", "support", "Support Engineer"),
    (
        "stf-chloe",
        "Chloé Bernard",
        "marketing",
        "Community Manager",
    ),
    ("stf-arjun", "Arjun Patel", "product", "Product Manager"),
    ("stf-hanna", "Hanna Berg", "finance", "Billing Specialist"),
    (
        "stf-marcus",
        "Marcus Webb",
        "management",
        "Managing Director",
    ),
];

pub(super) const FIRST: &[&str] = &[
    "Anna", "Bruno", "Carla", "David", "Eva", "Felix", "Greta", "Henrik", "Ida", "Jakob", "Kira",
    "Lars", "Maria", "Niko", "Olga", "Paul", "Rosa", "Stefan", "Tara", "Ulla", "Vera", "Walter",
    "Yara", "Zoe", "Amir", "Bea", "Cyril", "Dana", "Emil", "Fiona",
];
pub(super) const LAST: &[&str] = &[
    "Adler", "Brooks", "Castell", "Dahl", "Eriksen", "Fontaine", "Gruber", "Holm", "Ivers",
    "Jansen", "Keller", "Lund", "Moreau", "Novak", "Olsen", "Price", "Quinn", "Reyes", "Sauer",
    "Thorne", "Ueda", "Valli", "Winter", "Young", "Zeller",
];
pub(super) const COMPANY_A: &[&str] = &[
    "Alder", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Heron", "Iris", "Juno",
    "Kite", "Linden", "Maple", "Nova", "Onyx", "Pine", "Quarry", "Raven", "Sable", "Tamarack",
    "Umber", "Vale", "Willow", "Yarrow", "Zephyr",
];
pub(super) const COMPANY_B: &[&str] = &[
    "Foods",
    "Logistics",
    "Clinics",
    "Utilities",
    "Robotics",
    "Breweries",
    "Labs",
    "Mining",
    "Retail",
    "Hotels",
    "Water",
    "Farms",
];
pub(super) const INDUSTRIES: &[&str] = &[
    "food",
    "logistics",
    "healthcare",
    "energy",
    "manufacturing",
    "hospitality",
    "research",
    "retail",
    "public_sector",
    "agriculture",
];
pub(super) const COUNTRIES: &[&str] = &["DE", "NL", "FR", "GB", "SE", "ES", "IT", "PL", "US"];
