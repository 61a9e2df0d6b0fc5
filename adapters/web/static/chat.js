// The web chat: every piece of user or answer text goes in with textContent, never as markup.
"use strict";

(() => {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function add(node) {
    log.append(node);
    node.scrollIntoView({ block: "nearest" });
  }

  function message(who, className) {
    const box = el("div", `msg ${className}`);
    box.append(el("span", "visually-hidden", `${who} said:`));
    return box;
  }

  function showQuestion(text) {
    const box = message("You", "msg-user");
    box.append(el("p", null, text));
    add(box);
  }

  function showError(text) {
    const box = message("Guidance Bot", "msg-error");
    box.append(el("p", null, text));
    add(box);
  }

  async function post(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new Error("Sorry, I could not reach the server. Check your connection and try again.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok || data === null) {
      const reason = data && typeof data.error === "string" ? ` (${data.error})` : "";
      throw new Error(`Sorry, something went wrong: the server answered ${response.status}${reason}. ` +
        "Please try again.");
    }
    return data;
  }

  // The reply text is complete plain text; its first paragraph is the title when it starts with it.
  function showReply(reply, question) {
    const box = message("Guidance Bot", "msg-bot");
    let paragraphs = String(reply.text || "").split(/\n{2,}/).filter((p) => p.trim());
    if (reply.kind === "suggestions" && reply.suggestions && reply.suggestions.length) {
      paragraphs = paragraphs.slice(0, 1).map((p) => p.split("\n")[0]);
    }
    let tag = reply.principle ? `Principle ${reply.principle}` : null;
    let title = reply.title;
    if (title && (paragraphs[0] || "").startsWith(title)) {
      // "Title (Principle 3: Its title)": the bracket becomes the tag unless it repeats the title.
      const first = paragraphs.shift();
      const rest = first.slice(title.length).trim().replace(/^\((.*)\)$/, "$1");
      if (tag && rest.startsWith(tag)) {
        if (!rest.includes(title)) tag = rest;
      } else {
        title = first;
      }
    }
    if (tag) box.append(el("p", "tag", tag));
    if (title) box.append(el("p", "msg-title", title));
    const sourceLine = reply.source ? `Source: ${reply.source}` : null;
    for (const text of paragraphs) {
      box.append(el("p", text === sourceLine ? "msg-source" : null, text));
    }
    if (reply.suggestions && reply.suggestions.length) box.append(suggestionList(reply.suggestions, question));
    if (reply.answered && reply.entry) box.append(feedbackButtons(reply.entry, question));
    add(box);
  }

  function suggestionList(suggestions, question) {
    const list = el("ul", "suggestions");
    for (const suggestion of suggestions) {
      const button = el("button", "link-button", `${suggestion.title} (principle ${suggestion.principle})`);
      button.type = "button";
      button.addEventListener("click", () => {
        showQuestion(suggestion.title);
        ask({ entry: suggestion.entry }, question);
      });
      const item = el("li");
      item.append(button);
      list.append(item);
    }
    return list;
  }

  function feedbackButtons(entry, question) {
    const box = el("div", "feedback");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Was this answer helpful?");
    box.append(el("span", null, "Was this helpful?"));
    const buttons = [["Helpful", true], ["Not helpful", false]].map(([label, helpful]) => {
      const button = el("button", "button button-secondary", label);
      button.type = "button";
      button.addEventListener("click", async () => {
        for (const b of buttons) b.disabled = true;
        try {
          const reply = await post("/api/feedback", { entry, helpful, question: question || null });
          box.replaceChildren(el("span", null, reply.text || "Thanks for your feedback."));
          input.focus();
        } catch (error) {
          for (const b of buttons) b.disabled = false;
          showError(error.message);
        }
      });
      return button;
    });
    box.append(...buttons);
    return box;
  }

  function busy(on) {
    log.setAttribute("aria-busy", on ? "true" : "false");
  }

  // A question asked while another is being answered waits its turn, so answers come in the
  // order asked. Send stays enabled for this: with it disabled, Enter silently did nothing.
  let turn = Promise.resolve();

  function ask(body, question) {
    turn = turn.then(() => answer(body, question));
    return turn;
  }

  async function answer(body, question) {
    busy(true);
    try {
      showReply(await post("/api/chat", body), question);
    } catch (error) {
      showError(error.message);
      if (body.text && !input.value) input.value = body.text;
    } finally {
      busy(false);
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    input.value = "";
    showQuestion(text);
    ask({ text }, text);
  });

  for (const button of document.querySelectorAll("[data-ask]")) {
    button.addEventListener("click", () => {
      const text = button.textContent.trim();
      showQuestion(text);
      ask({ text }, text);
    });
  }
})();
