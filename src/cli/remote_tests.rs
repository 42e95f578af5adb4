use super::*;

#[test]
fn a_server_address_loses_its_trailing_slash_and_keeps_its_path() {
    assert_eq!(
        server_address("https://cis.example.com/scan/").unwrap(),
        "https://cis.example.com/scan"
    );
    assert_eq!(
        server_address("http://127.0.0.1:8080").unwrap(),
        "http://127.0.0.1:8080"
    );
}

#[test]
fn a_server_address_with_credentials_is_refused_without_repeating_them() {
    let Err(Error::Invalid(m)) = server_address("http://me:s3cret@host:8080") else {
        panic!("accepted an address with a password");
    };
    assert!(!m.contains("s3cret"), "{m}");
    assert!(m.contains(TOKEN_ENV), "{m}");
}

#[test]
fn a_server_address_that_is_not_http_is_refused() {
    for raw in ["ftp://host", "host:8080", "", "http://host/?a=1"] {
        assert!(
            matches!(server_address(raw), Err(Error::Invalid(_))),
            "{raw}"
        );
    }
}

#[test]
fn error_of_reads_download_and_graphql_error_bodies() {
    let download = br#"{"error":{"code":"UNAUTHENTICATED","message":"the token is not known"}}"#;
    assert_eq!(
        error_of(download),
        Some(("UNAUTHENTICATED".into(), "the token is not known".into()))
    );
    let gql = br#"{"errors":[{"message":"no report","extensions":{"code":"NOT_FOUND"}}]}"#;
    assert_eq!(
        error_of(gql),
        Some(("NOT_FOUND".into(), "no report".into()))
    );
}

#[test]
fn error_of_ignores_a_body_that_is_not_a_service_error() {
    assert_eq!(error_of(b"<html>502 Bad Gateway</html>"), None);
    assert_eq!(error_of(b"{\"data\": 1}"), None);
}

#[test]
fn clean_removes_control_characters_and_caps_the_length() {
    assert_eq!(clean("red\x1b[31m\nline"), "red [31m line");
    let long = "x".repeat(MAX_MESSAGE * 3);
    let c = clean(&long);
    assert_eq!(c.chars().count(), MAX_MESSAGE + 1);
    assert!(c.ends_with('…'));
}

#[test]
fn a_missing_token_says_which_variable_to_set() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "  \n").unwrap();
    let args = RemoteArgs {
        server: "http://127.0.0.1:1".into(),
        token_file: Some(file),
    };
    let Err(Error::Invalid(m)) = Remote::new(&args) else {
        panic!("an empty token was accepted");
    };
    assert!(m.contains(TOKEN_ENV), "{m}");
}
