"""The draft check on drafts written for these tests (never taken from the quality sets)."""

from __future__ import annotations

import pytest

from bot.checking import Account, ConcernKind, DraftCheck, check_draft, read_account


def kinds(check: DraftCheck) -> set[str]:
    return {str(concern.kind) for concern in check.concerns}


def overlap(text: str, first: str, second: str) -> bool:
    a, b = text.index(first), text.index(second)
    return a < b + len(second) and b < a + len(first)


def test_the_kinds_and_accounts_are_exactly_the_public_ones():
    assert [str(kind) for kind in ConcernKind] == [
        "politics", "official-information", "commitment", "personal-data", "abuse", "copyright", "election"]
    assert [str(account) for account in Account] == ["personal", "official", "unknown"]


@pytest.mark.parametrize("kind, draft, quoted", [
    ("politics", "my own X: honestly the Transport Secretary's new rail plan is a total farce",
     "a total farce"),
    ("politics", "Out leafleting for the Lib Dems all weekend, who's coming? 🔶", "Lib Dems"),
    ("politics", "personal FB: sick of this government treating teachers like dirt #strike", "sick of"),
    ("official-information", "Psst, the unpublished survey results show staff morale at a record low 😬",
     "unpublished"),
    ("official-information", "for my insta: heard at our team meeting that 3 regional offices are going, "
     "keep it quiet", "heard at our team meeting"),
    ("official-information", "LinkedIn: my team will be launching the new benefits app next spring, "
     "watch this space 👀", "my team will be launching the new benefits app"),
    ("commitment", "reply from our account: '@nat_b We will definitely have your grant paid by Monday'",
     "We will definitely"),
    ("commitment", "Don't worry @old_ron, your pension will be back in your account within 2 days",
     "your pension will be back in your account within 2 days"),
    ("personal-data", "Can anyone help Mrs Patel? NI number JK 44 55 66 B, she lost her card",
    "JK 44 55 66 B"),
    ("personal-data", "reply: 'Hi @lou_w, we've logged your case (ref HX-20931) and will call you'",
     "ref HX-20931"),
    ("personal-data", "Lovely to have Simon back in the office after his cancer treatment 💪", "cancer"),
    ("abuse", "@grumbler42 maybe try reading the page before you moan, you muppet", "muppet"),
    ("abuse", "the bloke at the counter thought a P60 was a car 😂😂", "😂😂"),
    ("copyright", "found a great pic of Big Ben on someone's Flickr for our banner",
     "found a great pic of Big Ben on"),
    ("copyright", "posting a screenshot of the DM my director sent me 🙈", "screenshot of"),
    ("election", "We're in purdah - ok for the dept account? 'Thanks to the Minister's vision, our town "
     "is booming'", "Thanks to the Minister's vision"),
])
def test_each_kind_is_found_with_the_words_that_raised_it(kind, draft, quoted):
    check = check_draft(text=draft)
    found = [c for c in check.concerns if c.kind == kind]
    assert found, f"{kind} not found in {draft!r}: {check.concerns}"
    assert any(overlap(draft, quoted, c.quote) for c in found), found
    for concern in check.concerns:
        assert concern.quote and concern.quote in draft  # copied exactly from the draft
        assert concern.principle == 6
        assert concern.advice.endswith(".") and len(concern.advice) < 250


def test_a_draft_with_several_problems_has_each_in_the_order_of_the_draft():
    draft = ("for my FB: this claimant today, Gary Jones of 12 Station Road, called me an idiot so I "
             "told him he's a moron lol")
    check = check_draft(text=draft)
    assert {"personal-data", "abuse"} <= kinds(check)
    starts = [draft.index(c.quote) for c in check.concerns]
    assert starts == sorted(starts)


@pytest.mark.parametrize("draft", [
    "Our Exeter office is closed on Monday 26 May for the bank holiday. Online services run as normal.",
    "draft for the dept page: 'Applications for our summer internships close on 14 March. Apply online!'",
    "my own insta: finally climbed Snowdon with the kids 🏔️ legs are jelly",
    "Thread 🧵 on the statistics we published today about apprenticeships, with links to the data",
    "for the team X: 'Thanks @RNLI for the water safety talk at our Cornwall site 🌊'",
])
def test_a_clean_draft_has_no_concerns_and_is_never_called_safe(draft):
    check = check_draft(text=draft)
    assert check.concerns == ()
    advice = " ".join(check.advice)
    assert "safe to post" in advice and "does not make it safe" in advice
    assert "if in doubt, don't post" in advice and "permanent" in advice
    assert "line manager" in advice and "communications or propriety team" in advice
    assert "party politics" in advice and "personal data" in advice and "private messages" in advice
    assert check.to_json() == {"concerns": []}


def test_with_nothing_found_the_advice_lists_every_kind_checked():
    check = check_draft(text="Reminder: the clocks go forward on Sunday", account=Account.OFFICIAL)
    assert set(check.checked) == set(ConcernKind)
    assert "election-period limits" in check.advice[0]
    personal = check_draft(text="Reminder: the clocks go forward on Sunday", account=Account.PERSONAL)
    assert ConcernKind.ELECTION not in personal.checked


def test_an_unknown_account_says_how_the_verdict_changes_with_each():
    check = check_draft(text="Good luck to everyone sitting exams this week! 📚")
    assert check.account is Account.UNKNOWN
    which = check.advice[-1]
    assert "official account" in which and "personal account" in which
    known = check_draft(text="Good luck to everyone sitting exams this week! 📚", account=Account.PERSONAL)
    assert all("doesn't say which account" not in paragraph for paragraph in known.advice)


@pytest.mark.parametrize("message, account", [
    ("draft for our dept account: 'We are open as usual'", Account.OFFICIAL),
    ("Can I post this on the agency's Facebook page? 'Hello'", Account.OFFICIAL),
    ("for my own X: 'Hello'", Account.PERSONAL),
    ("is this ok for my insta: 'Hello'", Account.PERSONAL),
    ("'Hello world, lovely day' ok to post?", Account.UNKNOWN),
])
def test_the_account_is_read_from_the_message(message, account):
    assert read_account(message) is account
    assert check_draft(text=message).account is account


def test_election_limits_apply_to_an_official_account_not_a_personal_one():
    post = "Pre-election period. 'Under this government our schools have never been better'"
    assert "election" in kinds(check_draft(text=post, account=Account.OFFICIAL))
    assert "election" not in kinds(check_draft(text=post, account=Account.PERSONAL))
    operational = "Pre-election period. 'Our Hull office is closed on Friday; phone lines are open as usual.'"
    assert check_draft(text=operational, account=Account.OFFICIAL).concerns == ()


def test_the_json_is_exactly_the_public_shape():
    check = check_draft(text="We guarantee your refund by Friday, promise!")
    data = check.to_json()
    assert list(data) == ["concerns"]
    assert all(list(c) == ["kind", "principle", "quote", "advice"] for c in data["concerns"])
    assert data["concerns"][0]["kind"] == "commitment" and data["concerns"][0]["principle"] == 6
    assert check_draft(text="A lovely sunny day in Leeds").to_json() == {"concerns": []}
