//! Steps on callboard's own page that several browser tests share.

use super::Browser;
use serde_json::Value;

/// Starts a call from the page: select the group, press "📞 Llamar", wait for the
/// pre-flight panel and return what it shows.
pub async fn open_preflight(b: &Browser, group: u64) -> Value {
    b.click(&format!("#groups li[data-group-id=\"{group}\"]"))
        .await;
    b.click("#call-group-btn").await;
    b.wait_for(
        "document.querySelector('#preflight .pf-count')",
        "the pre-flight panel",
    )
    .await;
    b.eval(
        r#"(() => { const p = document.getElementById('preflight'), q = (s) => p.querySelector(s);
        return { count: +q('.pf-count').dataset.count, skipped: +q('.pf-skipped').dataset.count,
          byCode: Object.fromEntries([...p.querySelectorAll('.pf-skipped li[data-code]')].map((li) => [li.dataset.code, [+li.dataset.count, li.innerText]])),
          incomplete: +q('.pf-incomplete').dataset.count,
          missing: [...p.querySelectorAll('.pf-incomplete li[data-missing]')].map((li) => [li.innerText, li.dataset.missing]),
          vars: q('.pf-vars').innerText, open: q('.pf-window').dataset.open, estimate: q('.pf-estimate').innerText,
          confirmDisabled: q('#preflight-confirm').disabled, text: p.innerText }; })()"#,
    )
    .await
}

pub async fn wait_done(b: &Browser, not: &str) -> String {
    let id = b
        .wait_for(
            &format!(
                "document.body.dataset.batchState === 'done' && document.body.dataset.batchId !== '{not}' && document.body.dataset.batchId"
            ),
            "the batch to finish on the page",
        )
        .await;
    id.as_str().unwrap().to_string()
}
