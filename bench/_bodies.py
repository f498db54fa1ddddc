"""Realistic bodies for the render-heavy figures: what teams keep in issue descriptions and wiki pages.

A Jira Cloud description of about 5 KB of ADF (headings, paragraphs with marks and links, nested
lists, a code block, a table) and a Confluence page of about 20 KB of storage XHTML (the same kinds
of content, more of it, with a macro). Both are made by passthrough's own Markdown writers from one
Markdown text, so they have the shapes passthrough itself writes upstream.
"""

from __future__ import annotations

import json
from typing import Any

SECTION = """\
## {n}. Rollout of the billing service, step {n}

The **billing service** moves to the new cluster in this step. Owners: _platform team_; see
[the runbook](https://wiki.example.com/runbooks/billing-{n}) and `deploy/billing.yaml` before starting.

- Prepare the database:
  - take a snapshot of `billing_{n}` and check its size
  - run the migration with `--dry-run` first
- Switch traffic **gradually** (10 %, 50 %, 100 %)
- Watch the error budget on the dashboard

1. Announce the window in #ops
2. Run the pipeline
3. Confirm with the on-call engineer

```python
def migrate(batch: int = {n}00) -> None:
    for rows in fetch(batch):
        write(rows, retries=3)
```

| Check | Owner | Status |
| --- | --- | --- |
| Snapshot taken | Ana | done |
| Dry run clean | Ben | *in progress* |
| Traffic at 100 % | Chloe | to do |
"""


def markdown(sections: int) -> str:
    return "# Billing service migration\n\n" + "\n".join(SECTION.format(n=n) for n in range(1, sections + 1))


def adf_description(target_bytes: int = 5_000) -> dict[str, Any]:
    """An ADF document of about `target_bytes` of compact JSON."""
    from passthrough.markup import markdown_to_adf

    blocks = markdown(20).split("\n\n")  # whole blocks, as many as reach the size
    for n in range(1, len(blocks) + 1):
        doc = markdown_to_adf("\n\n".join(blocks[:n]))
        if len(json.dumps(doc, separators=(",", ":"))) >= target_bytes:
            break
    return doc


def storage_page(target_bytes: int = 20_000) -> str:
    """Storage XHTML of about `target_bytes`, with an info macro at the top."""
    from passthrough.markup import markdown_to_storage

    macro = (
        '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>This page is kept by the platform team.</p>'
        "</ac:rich-text-body></ac:structured-macro>"
    )
    sections = 1
    while True:
        body = macro + markdown_to_storage(markdown(sections))
        if len(body.encode()) >= target_bytes or sections > 200:
            return body
        sections += 1


if __name__ == "__main__":
    print(len(json.dumps(adf_description(), separators=(",", ":"))), len(storage_page().encode()))
