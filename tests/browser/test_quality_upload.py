"""In a real browser: a QA reviewer uploads a file of conversations, watches the job's progress bar run
to the end (the job runs in the background: a thread of the server, as in the default set-up) and reads
the summary, skipped record included."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from tests.permissions.sample_org import build_sample_org

from servicecoach.quality.generator import generate_records
from servicecoach.quality.models import Conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-browser-1"


def test_upload_with_progress_to_completion(page: Page, live_server, fast_passwords, settings, tmp_path):
    settings.QUALITY_JOB_BATCH = 25  # several batches, so the bar moves
    build_sample_org(password=PASSWORD)
    records = generate_records(240, ["S007", "S008"], start=datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
                               days=7, seed=3, source="browser")
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(100, '{"id": "broken", "messages": "none"}')
    data = tmp_path / "conversations.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")

    page.goto(live_server.url + "/qa/upload/")
    page.fill("input[name=username]", "qa_reviewer")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/qa/upload/$"))
    page.set_input_files("input[name=file]", str(data))
    page.locator("#upload-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/qa/jobs/\d+/$"))
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.locator(".progress-bar")).to_have_text("100%")
    expect(progress.locator("[data-count=imported]")).to_have_text("240")
    expect(progress.locator("[data-count=skipped]")).to_have_text("1")
    expect(progress).to_contain_text("messages")  # the skipped record's field
    assert Conversation.objects.filter(source="browser").count() == 240
