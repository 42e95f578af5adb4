//! A real browser for the UI tests: Debian's chromium driven through chromedriver
//! (WebDriver) by fantoccini. Each test gets its own chromedriver, profile and
//! download folder. The browser's proxy is a closed port with only loopback
//! bypassing it (Chrome always sends loopback direct), so any request to another host fails: the UI must work offline.
//!
//! Without chromedriver the tests fail and say how to install it (`bash .ci/setup`);
//! they never pass without a browser.

use crate::support::wait::wait_for_showing;
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long a page may take to show what a test waits for (generous: CI is loaded).
pub const WAIT: Duration = Duration::from_secs(60);

/// A browser session and the chromedriver behind it (killed on drop).
pub struct Browser {
    pub client: Client,
    pub downloads: PathBuf,
    driver: Child,
    _profile: tempfile::TempDir,
    _downloads: tempfile::TempDir,
}

fn find(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// chromedriver and chromium, or a failure that says how to get them.
fn binaries() -> (PathBuf, PathBuf) {
    let driver = find("CHROMEDRIVER", &["/usr/bin/chromedriver"]);
    let chrome = find(
        "CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    );
    match (driver, chrome) {
        (Some(d), Some(c)) => (d, c),
        _ => panic!(
            "the browser tests need Debian's chromium and chromium-driver: run `bash .ci/setup` \
             (as root) or set CHROMEDRIVER and CHROMIUM"
        ),
    }
}

/// Starts chromedriver on a port of its own choosing (`--port=0`) and reads the port
/// from the line it prints ("ChromeDriver was started successfully on port N."): no
/// port is picked here and released for another process to take first.
fn start_driver(driver_bin: &Path) -> (Child, u16) {
    let mut driver = Command::new(driver_bin)
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_bin.display()));
    let stdout = driver.stdout.take().expect("chromedriver's stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        // reads to the end, so chromedriver never blocks on a full pipe
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(port) = line
                .strip_prefix("ChromeDriver was started successfully on port ")
                .and_then(|rest| rest.trim_end_matches('.').parse::<u16>().ok())
            {
                let _ = tx.send(port);
            }
        }
    });
    match rx.recv_timeout(WAIT) {
        Ok(port) => (driver, port),
        Err(_) => {
            let _ = driver.kill();
            panic!("chromedriver did not say which port it listens on within {WAIT:?}")
        }
    }
}

/// True for the files Chromium writes while a download is under way.
fn is_partial(file: &Path) -> bool {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    name.ends_with(".crdownload") || name.starts_with(".org.chromium.")
}

impl Browser {
    /// Starts chromedriver and a headless chromium session.
    pub async fn start() -> Browser {
        let (driver_bin, chrome) = binaries();
        let (driver, port) = start_driver(&driver_bin);
        let profile = tempfile::TempDir::new().unwrap();
        let downloads = tempfile::TempDir::new().unwrap();
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chrome,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1400,1000", "--no-first-run", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update",
                    // every request to another host goes to a closed port: no internet
                    "--proxy-server=http://127.0.0.1:9",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                }
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let client = wait_for_showing("chromedriver to start a session", WAIT, || async {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
                .map_err(|e| e.to_string())
        })
        .await;
        Browser {
            client,
            downloads: downloads.path().to_path_buf(),
            driver,
            _profile: profile,
            _downloads: downloads,
        }
    }

    /// Opens a URL.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// The first element the locator finds within WAIT, or a failure naming what was awaited.
    pub async fn wait(&self, what: Locator<'_>) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(what)
            .await
            .unwrap_or_else(|e| panic!("never appeared: {what:?}: {e}"))
    }

    /// Waits for an element whose accessible name (text or aria-label) is `name`.
    pub async fn named(&self, tag: &str, name: &str) -> Element {
        let xpath = format!(
            "//{tag}[normalize-space(.)={q} or @aria-label={q}]",
            q = xpath_literal(name)
        );
        self.wait(Locator::XPath(&xpath)).await
    }

    /// Clicks the button named `name`.
    pub async fn click(&self, name: &str) {
        self.named("button", name).await.click().await.unwrap();
    }

    /// The input a `<label>` names (via its `for`).
    pub async fn input(&self, label: &str) -> Element {
        let xpath = format!(
            "//input[@id=//label[normalize-space(.)={q}]/@for]",
            q = xpath_literal(label)
        );
        self.wait(Locator::XPath(&xpath)).await
    }

    /// Waits until `check` holds for the page text, polling; fails after WAIT with the text.
    pub async fn until_text(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        wait_for_showing(what, WAIT, || async {
            let text = self.text().await;
            if check(&text) {
                Ok(text)
            } else {
                Err(format!("the page shows:\n{text}"))
            }
        })
        .await
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The URL's fragment route, e.g. `#/reports/ID`.
    pub async fn route(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        url.fragment().map(|f| format!("#{f}")).unwrap_or_default()
    }

    /// Waits until the route satisfies `check`; returns it.
    pub async fn until_text_route(&self, check: impl Fn(&str) -> bool) -> String {
        wait_for_showing("the route to change", WAIT, || async {
            let route = self.route().await;
            if check(&route) {
                Ok(route)
            } else {
                Err(format!("the page stayed at {route}"))
            }
        })
        .await
    }

    /// Signs in on the UI at `address` with `token`, and waits for the overview.
    pub async fn sign_in(&self, address: &str, token: &str) {
        self.open(&format!("{address}/")).await;
        self.input("API token")
            .await
            .send_keys(token)
            .await
            .unwrap();
        self.click("Sign in").await;
        self.wait(Locator::XPath("//h1[normalize-space(.)='Overview']"))
            .await;
    }

    /// Saves a screenshot to `$UI_SCREENSHOTS/name.png` when that folder is set
    /// (how docs/screenshots are made); otherwise does nothing.
    pub async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("UI_SCREENSHOTS") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
        }
    }

    /// The files in the download folder once a download whose name ends with `suffix`
    /// has finished: the folder holds such a file and no partial one (Chromium's
    /// `.crdownload` or `.org.chromium.*` files); fails after WAIT listing the folder.
    pub async fn downloaded(&self, suffix: &str) -> Vec<PathBuf> {
        let listing = || -> Vec<PathBuf> {
            std::fs::read_dir(&self.downloads)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect()
        };
        let what = format!("a finished download ending with {suffix}");
        wait_for_showing(&what, WAIT, || {
            let files = listing();
            let finished = files
                .iter()
                .any(|f| !is_partial(f) && f.to_string_lossy().ends_with(suffix));
            let done = finished && !files.iter().any(|f| is_partial(f));
            async move {
                if done {
                    Ok(files)
                } else {
                    Err(format!("the folder holds {files:?}"))
                }
            }
        })
        .await
    }

    /// Cuts the browser off the network (as a lost Wi-Fi would), or restores it,
    /// through the DevTools protocol chromedriver relays.
    pub async fn offline(&self, offline: bool) {
        self.client
            .issue_cmd(Cdp("Network.enable", json!({})))
            .await
            .unwrap();
        let conditions = json!({
            "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1
        });
        self.client
            .issue_cmd(Cdp("Network.emulateNetworkConditions", conditions))
            .await
            .unwrap();
    }

    /// Ends the session and chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // a failed test still stops its chromedriver (chromium exits with it)
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `s` as an XPath string literal.
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else {
        format!("\"{s}\"")
    }
}

/// A DevTools command sent through chromedriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct Cdp(&'static str, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.0, "params": self.1 });
        (http::Method::POST, Some(body.to_string()))
    }
}
