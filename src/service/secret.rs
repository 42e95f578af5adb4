//! Encryption at rest for stored kubeconfigs: ChaCha20-Poly1305 with a
//! 256-bit key from the configuration, a random nonce per value.

use crate::error::{Error, Result};
use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

const PREFIX: &str = "v1:";

/// Parses a base64 key of 32 bytes.
pub fn parse_key(b64: &str) -> Result<[u8; 32]> {
    let bytes = STANDARD.decode(b64.trim()).map_err(|_| {
        Error::Config("encryption.key must be base64 (e.g. from `openssl rand -base64 32`)".into())
    })?;
    bytes
        .try_into()
        .map_err(|_| Error::Config("encryption.key must decode to exactly 32 bytes".into()))
}

/// Encrypts a value for storage.
pub fn seal(key: &[u8; 32], plaintext: &str) -> Result<String> {
    let cipher = ChaCha20Poly1305::new(&Key::from(*key));
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
        .map_err(|_| Error::Internal("encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
}

/// Decrypts a stored value; fails when the key is not the one it was sealed with.
pub fn open(key: &[u8; 32], sealed: &str) -> Result<String> {
    let raw = sealed
        .strip_prefix(PREFIX)
        .ok_or_else(|| Error::Internal("unknown secret format".into()))?;
    let bytes = STANDARD
        .decode(raw)
        .map_err(|_| Error::Internal("corrupt secret".into()))?;
    if bytes.len() < 12 {
        return Err(Error::Internal("corrupt secret".into()));
    }
    let cipher = ChaCha20Poly1305::new(&Key::from(*key));
    let nonce: [u8; 12] = bytes[..12]
        .try_into()
        .map_err(|_| Error::Internal("corrupt secret".into()))?;
    let pt = cipher
        .decrypt(&Nonce::from(nonce), &bytes[12..])
        .map_err(|_| {
            Error::Internal("cannot decrypt a stored kubeconfig: encryption.key changed?".into())
        })?;
    String::from_utf8(pt).map_err(|_| Error::Internal("corrupt secret".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_key() {
        let k = [7u8; 32];
        let s = seal(&k, "apiVersion: v1\nkind: Config\n").unwrap();
        assert!(
            !s.contains("Config"),
            "sealed text does not show the plaintext"
        );
        assert_ne!(
            s,
            seal(&k, "apiVersion: v1\nkind: Config\n").unwrap(),
            "fresh nonce each time"
        );
        assert_eq!(open(&k, &s).unwrap(), "apiVersion: v1\nkind: Config\n");
        assert!(open(&[8u8; 32], &s).is_err());
        assert!(parse_key("c2hvcnQ=").is_err());
        assert_eq!(parse_key(&STANDARD.encode([1u8; 32])).unwrap(), [1u8; 32]);
    }
}
