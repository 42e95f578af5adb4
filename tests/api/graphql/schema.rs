//! The committed SDL is the schema the code builds. `UPDATE_SCHEMA=1` rewrites it.

#[test]
fn committed_schema_matches_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = cis_scan::api::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == sdl, "schema.graphql differs from the schema the code builds: run UPDATE_SCHEMA=1 cargo test --test api schema");
    for field in [
        "runScan(clusterId: ID!, benchmark: String, scoredOnly: Boolean): Scan!",
        "scanProgress(scanId: ID!): ScanProgress!",
        "reports(clusterId: ID, first: Int = 20, after: String): ReportConnection!",
    ] {
        assert!(sdl.contains(field), "contract field missing: {field}");
    }
}
