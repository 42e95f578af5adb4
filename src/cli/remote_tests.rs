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
