fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(prismig::__internal::run(std::env::args_os()))
}
