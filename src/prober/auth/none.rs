//! Ollama: no key at all. Whatever is stored stays here, so a local model
//! server never sees a credential it did not ask for.

use reqwest::RequestBuilder;

pub(super) fn apply(req: RequestBuilder) -> RequestBuilder {
    req
}
