fn main() {
    std::process::exit(cis_scan::cli::run());
}
