//! The headers every response carries for browsers. GraphiQL keeps a user's `Authorization` header in its
//! Headers tab, so the pages must not be framed by other sites, run script from anywhere but this server,
//! or leak their address to other sites. They are set on every response, not just HTML: an asset or an
//! error page opened on its own is a document too, and the same policy costs a JSON answer nothing.
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use crate::config::SecurityHeaders;

/// Only the server's own scripts, styles and connections; images and fonts may also be `data:` URIs
/// (GraphiQL's stylesheet inlines its fonts and icons that way). No inline script, no `eval`, no plugins;
/// `base-uri` and `form-action` keep injected markup from redirecting links or forms elsewhere.
///
/// One inline style is allowed, by its hash rather than by `'unsafe-inline'`: GraphiQL's menus and dialogs
/// (Radix, through react-remove-scroll-bar) add a `<style>` element that locks the page's scrolling while
/// they are open. Its text depends only on the scrollbar's width and the body's margins, which the page's
/// own stylesheet (`assets/graphiql/page.css`: no margin, no scrolling) makes 0 in every browser, so it is
/// always the same text (`.with-scroll-bars-hidden { overflow: hidden !important; padding-right: 0px …`).
/// React's `style` props (the explorer plugin uses them) are set through the CSSOM, which `style-src`
/// does not govern. Upgrading GraphiQL may change the text: the browser test (tests/clients/graphiql.mjs)
/// fails on any violation and Chromium's message names the new hash.
const POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'sha256-nzTgYzXYDNe6BAHiiI7NNlfK8n/auuOAhh2t92YvuXo='; img-src 'self' data:; \
    font-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'";

/// The headers, computed once from the settings.
pub fn headers(settings: &SecurityHeaders) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let policy = format!("{POLICY}; frame-ancestors {}", settings.frame_ancestors);
    // `config` allowed only visible ASCII without `;` or `,` in the sources, which always makes a valid value.
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::try_from(policy).expect("a valid header value"));
    // Browsers too old for `frame-ancestors` understand only these two of its values.
    match settings.frame_ancestors.as_str() {
        "'none'" => headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        "'self'" => headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN")),
        _ => None,
    };
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if settings.behind_tls {
        let hsts = format!("max-age={}", settings.hsts_max_age.as_secs());
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::try_from(hsts).expect("digits are a valid value"));
    }
    headers
}

/// `response` with `headers` added (a handler's own value of one is kept).
pub fn add(headers: &HeaderMap, mut response: Response) -> Response {
    for (name, value) in headers {
        response.headers_mut().entry(name).or_insert_with(|| value.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsts_only_behind_tls_and_frame_options_follow_frame_ancestors() {
        let plain = headers(&SecurityHeaders::default());
        assert!(plain.get(STRICT_TRANSPORT_SECURITY).is_none());
        assert_eq!(plain[X_FRAME_OPTIONS], "DENY");
        assert!(plain[CONTENT_SECURITY_POLICY].to_str().unwrap().ends_with("; frame-ancestors 'none'"));

        let settings = SecurityHeaders {
            frame_ancestors: "https://intranet.example.com".to_owned(),
            behind_tls: true,
            ..SecurityHeaders::default()
        };
        let behind_tls = headers(&settings);
        assert_eq!(behind_tls[STRICT_TRANSPORT_SECURITY], "max-age=31536000");
        assert!(behind_tls.get(X_FRAME_OPTIONS).is_none());
        let policy = behind_tls[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.ends_with("; frame-ancestors https://intranet.example.com"), "{policy}");
    }
}
