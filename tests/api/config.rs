//! Settings: flags beat environment variables, which beat the config file, which beats the defaults.
//! `careerql config` prints the settings in force; no database is opened.
use std::process::{Command, Output};

fn careerql(args: &[&str], env: &[(&str, &str)]) -> Output {
    // Only the variables given here: the settings must not depend on the environment the tests run in.
    Command::new(env!("CARGO_BIN_EXE_careerql")).env_clear().envs(env.iter().copied()).args(args).output().unwrap()
}

fn setting<'a>(printed: &'a str, key: &str) -> &'a str {
    let prefix = format!("{key} = ");
    printed
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no {key} in {printed}"))
}

#[test]
fn flags_beat_environment_beats_file_beats_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("careerql.toml");
    std::fs::write(
        &file,
        r#"
addr = "127.0.0.1:9999"
db-max-connections = 3
log-format = "json"
cors-allowed-origins = ["https://a.example", "https://b.example"]
database-url = "postgres://careerql:secret@db.internal/careerql"
"#,
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let env = [("CAREERQL_LOG_FORMAT", "text"), ("CAREERQL_DB_MAX_CONNECTIONS", "5")];
    let output = careerql(&["--config", file, "--db-max-connections", "7", "config"], &env);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout).unwrap();

    assert_eq!(setting(&printed, "addr"), r#""127.0.0.1:9999""#, "the file beats the default");
    assert_eq!(setting(&printed, "log-format"), r#""text""#, "the environment beats the file");
    assert_eq!(setting(&printed, "db-max-connections"), r#""7""#, "a flag beats both");
    assert_eq!(setting(&printed, "cors-allowed-origins"), r#"["https://a.example", "https://b.example"]"#);
    assert_eq!(setting(&printed, "shutdown-grace"), r#""25s""#, "a default");
    assert_eq!(setting(&printed, "database-url"), r#""postgres://careerql:***@db.internal/careerql""#);

    // What `config` prints is itself a config file that gives the same settings.
    let again = dir.path().join("again.toml");
    std::fs::write(&again, &printed).unwrap();
    let reread = careerql(&["--config", again.to_str().unwrap(), "config"], &[]);
    assert_eq!(String::from_utf8(reread.stdout).unwrap().replace("***", "secret"), printed.replace("***", "secret"));
}

#[test]
fn a_bad_config_file_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("careerql.toml");
    for (contents, reason) in [
        ("adress = \"127.0.0.1:1\"\n", "unknown setting `adress`"),
        ("db-max-connections = \"many\"\n", "db-max-connections"),
        ("addr = \n", "careerql.toml"),
    ] {
        std::fs::write(&file, contents).unwrap();
        let output = careerql(&["--config", file.to_str().unwrap(), "config"], &[]);
        assert!(!output.status.success(), "{contents}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{contents}: {stderr}");
    }
}

#[test]
fn help_documents_every_setting_and_its_variable() {
    let output = careerql(&["--help"], &[]);
    let help = String::from_utf8(output.stdout).unwrap();
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md")).unwrap();
    let variables: Vec<&str> =
        help.lines().filter_map(|line| line.trim().strip_prefix("[env: ")?.split('=').next()).collect();
    assert!(variables.len() >= 12, "{help}");
    for variable in variables {
        assert!(docs.contains(&format!("`{variable}`")), "{variable} is not in docs/configuration.md");
    }
}
