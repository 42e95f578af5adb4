//! Every client's share of the service: a client may have only so many requests
//! in flight at once. A client is its API token once the token is valid, else the
//! address it connects from, so made-up tokens cannot multiply one client into many.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Clients remembered before idle ones are forgotten.
const MAX_CLIENTS: usize = 10_000;

/// How long a request waits for one of its client's places before it is refused.
const WAIT: Duration = Duration::from_secs(2);

/// How long a request refused by a query limit keeps its client's place after the
/// answer has gone: a client that keeps sending refused queries gets a few per second,
/// while a person who made one mistake notices nothing.
pub const REFUSAL_PENALTY: Duration = Duration::from_secs(1);

/// Keeps a request's place taken for a while after its answer.
pub fn hold(place: OwnedSemaphorePermit, how_long: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(how_long).await;
        drop(place);
    });
}

/// Who a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// A valid token, by its id.
    Token(uuid::Uuid),
    /// No valid token: the peer address.
    Peer(std::net::IpAddr),
}

impl ClientKey {
    /// The key of a request without a valid token: its peer address, an IPv6 address by
    /// its /64 (one subscriber's network: a single host can use every address in it) and
    /// an IPv4-mapped IPv6 address as the IPv4 address it is.
    pub fn peer(ip: std::net::IpAddr) -> ClientKey {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    IpAddr::V6(prefix.into())
                }
            },
            v4 => v4,
        };
        ClientKey::Peer(ip)
    }
}

/// In-flight places per client.
pub struct ClientShares {
    per_client: usize,
    wait: Duration,
    clients: Mutex<HashMap<ClientKey, Arc<Semaphore>>>,
}

/// The client already has all its requests in flight.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy {
    pub limit: usize,
}

impl ClientShares {
    /// Shares of `per_client` requests in flight each.
    pub fn new(per_client: usize) -> Self {
        Self::with_wait(per_client, WAIT)
    }

    /// Shares whose requests wait at most `wait` for a place.
    pub fn with_wait(per_client: usize, wait: Duration) -> Self {
        ClientShares {
            per_client: per_client.max(1),
            wait,
            clients: Mutex::new(HashMap::new()),
        }
    }

    fn semaphore(&self, key: ClientKey) -> Arc<Semaphore> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(&key) {
            // forget clients with nothing in flight (nobody else holds their semaphore)
            clients.retain(|_, s| Arc::strong_count(s) > 1);
        }
        clients
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_client)))
            .clone()
    }

    /// A place for one request of this client, waiting a little for one to free up.
    pub async fn enter(&self, key: ClientKey) -> Result<OwnedSemaphorePermit, Busy> {
        let sem = self.semaphore(key);
        match tokio::time::timeout(self.wait, sem.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy {
                limit: self.per_client,
            }),
        }
    }

    /// A place for this client if one is free now; never waits.
    pub fn try_enter(&self, key: ClientKey) -> Result<OwnedSemaphorePermit, Busy> {
        self.semaphore(key).try_acquire_owned().map_err(|_| Busy {
            limit: self.per_client,
        })
    }

    /// How many clients are remembered.
    pub fn len(&self) -> usize {
        self.clients.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when no client is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(n: u8) -> ClientKey {
        ClientKey::Peer(std::net::IpAddr::from([127, 0, 0, n]))
    }

    #[test]
    fn ipv6_peers_of_one_64_share_a_key_and_mapped_ipv4_is_ipv4() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert_eq!(
            ClientKey::peer(ip("2001:db8:1:2::1")),
            ClientKey::peer(ip("2001:db8:1:2:ffff:ffff:ffff:fffe"))
        );
        assert_ne!(
            ClientKey::peer(ip("2001:db8:1:2::1")),
            ClientKey::peer(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            ClientKey::peer(ip("::ffff:192.0.2.7")),
            ClientKey::peer(ip("192.0.2.7"))
        );
        assert_ne!(
            ClientKey::peer(ip("192.0.2.7")),
            ClientKey::peer(ip("192.0.2.8"))
        );
    }

    #[tokio::test]
    async fn a_client_gets_its_share_and_no_more() {
        let shares = ClientShares::with_wait(2, Duration::from_millis(20));
        let _a = shares.enter(peer(1)).await.unwrap();
        let _b = shares.enter(peer(1)).await.unwrap();
        assert_eq!(shares.enter(peer(1)).await.unwrap_err(), Busy { limit: 2 });
    }

    #[tokio::test]
    async fn try_enter_refuses_at_once_when_the_share_is_taken() {
        let shares = ClientShares::new(1);
        let _a = shares.try_enter(peer(1)).unwrap();
        assert_eq!(shares.try_enter(peer(1)).unwrap_err(), Busy { limit: 1 });
        assert!(shares.try_enter(peer(2)).is_ok(), "others keep their share");
    }

    #[tokio::test]
    async fn one_busy_client_leaves_others_their_share() {
        let shares = ClientShares::new(1);
        let _a = shares.enter(peer(1)).await.unwrap();
        assert!(shares.enter(peer(2)).await.is_ok());
    }

    #[tokio::test]
    async fn a_finished_request_frees_its_place() {
        let shares = ClientShares::new(1);
        drop(shares.enter(peer(1)).await.unwrap());
        assert!(shares.enter(peer(1)).await.is_ok());
    }

    #[tokio::test]
    async fn a_held_place_stays_taken_until_released() {
        let shares = ClientShares::with_wait(1, Duration::from_millis(20));
        hold(
            shares.enter(peer(1)).await.unwrap(),
            Duration::from_secs(60),
        );
        assert!(shares.enter(peer(1)).await.is_err());
        assert!(
            shares.enter(peer(2)).await.is_ok(),
            "others keep their share"
        );
    }

    #[tokio::test]
    async fn idle_clients_are_forgotten_when_too_many_are_remembered() {
        let shares = ClientShares::new(1);
        for i in 0..MAX_CLIENTS as u32 {
            let key = ClientKey::Peer(std::net::IpAddr::from(i.to_be_bytes()));
            drop(shares.enter(key).await.unwrap());
        }
        drop(shares.enter(peer(1)).await.unwrap());
        assert!(shares.len() <= 2, "{} remembered", shares.len());
    }
}
