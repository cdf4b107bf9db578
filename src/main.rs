fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(prismig::cli::run(std::env::args_os()))
}
