//! A key pasted where `rotate-key` wants a fingerprint is refused by the
//! service itself, naming the field and never repeating the value, so the
//! TUI's rotation path (which calls the service directly) is covered as the
//! CLI and HTTP paths are.

#[path = "support/local_service.rs"]
mod local_service;

use llmcfg::domain::{ApiKey, Scope};
use llmcfg::service::ServiceError;
use llmcfg::service::rotation::{OldKey, RotationRequest, SwapMode};

const PASTED: &str = "sk-ant-api03-Pasted9Wrong7Field3Qx5Lm8Rt2Yw6";

#[tokio::test]
async fn a_key_in_the_fingerprint_field_is_refused_without_being_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let handle = local_service::open_in_dir(dir.path()).await;
    local_service::create_openai(
        &handle,
        &Scope::Global,
        "sk-proj-Existing1Key2For3Tests4",
        "http://127.0.0.1:9/v1".into(),
    )
    .await;
    let (progress, _rx) = tokio::sync::mpsc::unbounded_channel();
    let err = handle
        .rotate_key(
            RotationRequest {
                old: OldKey::Fingerprint(PASTED.into()),
                new_key: ApiKey::new("sk-proj-Another5Key6For7Tests8"),
                mode: SwapMode::Passed,
                concurrency: 1,
            },
            progress,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(text.contains("fingerprint"), "{text}");
    assert!(
        !text.contains("Pasted9Wrong"),
        "the pasted key was repeated: {text}"
    );
}
