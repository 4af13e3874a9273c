// fic2book serve: the page's behaviour. Plain browser JavaScript, no build step, no outside
// assets. Every URL is relative: the page lives under /TOKEN/, so they all carry the token.
"use strict";

const statusLine = document.getElementById("status");
const list = document.getElementById("files");
const template = document.getElementById("file-template");
const form = document.getElementById("options");
const convertAll = document.getElementById("convert-all");
const zipLink = document.getElementById("zip");
const cards = new Map(); // upload id -> card element
let previewId = null;

function announce(text) {
  statusLine.textContent = text;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function answer(response) {
  try {
    return await response.json();
  } catch (err) {
    return { error: "fic2book sent an answer the page cannot read; reload the page." };
  }
}

function settings() {
  const data = new FormData(form);
  return {
    formats: data.getAll("formats"),
    cover: data.get("cover"),
    pdf_cover: data.get("pdf_cover") === "on",
    embed_fonts: data.get("embed_fonts") === "on",
    page_size: data.get("page_size"),
    style: data.get("style"),
    chapter_titles: data.get("chapter_titles"),
    chapter_numbers: data.get("chapter_numbers"),
    labels: data.get("labels"),
    notes: data.get("notes"),
    summaries: data.get("summaries"),
    front_matter: data.get("front_matter"),
    bound_by: data.get("bound_by"),
    smart: data.get("smart") === "on",
    theme: data.get("theme"),
    opening: data.get("opening"),
    ornament: data.get("ornament"),
    skin: data.get("skin") === "on",
  };
}

function query() {
  const values = settings();
  delete values.formats;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    params.set(key, String(value));
  }
  return params.toString();
}

function fact(dl, label, value) {
  if (value === null || value === undefined || value === "" || value.length === 0) {
    return;
  }
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = Array.isArray(value) ? value.join(", ") : String(value);
  dl.append(dt, dd);
}

function newCard(name) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.querySelector(".file-title").textContent = name;
  card.querySelector(".file-name").textContent = "Reading " + name + "…";
  for (const button of card.querySelectorAll(".do-preview, .do-convert")) {
    button.disabled = true;
  }
  card.querySelector(".do-remove").addEventListener("click", () => removeCard(card));
  list.append(card);
  return card;
}

function failed(card, name, message) {
  card.querySelector(".file-name").hidden = true; // the title already is the file's name
  // A file that cannot be read can only be removed.
  for (const button of card.querySelectorAll(".do-preview, .do-convert")) {
    button.hidden = true;
  }
  card.querySelector(".do-remove").setAttribute("aria-label", "Remove " + name);
  showError(card, message);
  announce(name + ": " + message);
}

function showError(card, message) {
  const error = card.querySelector(".error");
  error.textContent = message;
  error.hidden = !message;
}

function fillCard(card, upload) {
  card.dataset.id = upload.id;
  cards.set(upload.id, card);
  const info = upload.info;
  const title = card.querySelector(".file-title");
  title.textContent = info.title;
  card.querySelector(".file-name").textContent = upload.name;
  const dl = card.querySelector(".facts");
  fact(dl, info.authors.length > 1 ? "Creators" : "Creator", info.authors);
  fact(dl, info.fandoms.length > 1 ? "Fandoms" : "Fandom", info.fandoms);
  fact(dl, "Rating", info.rating);
  fact(dl, "Archive warnings", info.warnings);
  fact(dl, "Chapters", info.chapters_label || String(info.chapters));
  fact(dl, "Words", info.words === null ? null : info.words.toLocaleString("en"));
  const warnings = card.querySelector(".warnings");
  for (const text of upload.warnings) {
    const item = document.createElement("li");
    item.textContent = "Note: " + text;
    warnings.append(item);
  }
  const preview = card.querySelector(".do-preview");
  const make = card.querySelector(".do-convert");
  preview.disabled = false;
  make.disabled = false;
  preview.setAttribute("aria-label", "Preview " + info.title);
  make.setAttribute("aria-label", "Make books of " + info.title);
  card.querySelector(".do-remove").setAttribute("aria-label", "Remove " + info.title);
  preview.addEventListener("click", () => showPreview(upload.id, info.title));
  make.addEventListener("click", () => convert(card));
  convertAll.disabled = false;
}

async function upload(file) {
  const card = newCard(file.name);
  announce("Reading " + file.name + "…");
  let response;
  try {
    response = await fetch("files", {
      method: "POST",
      body: file,
      headers: { "X-File-Name": encodeURIComponent(file.name) },
    });
  } catch (err) {
    response = null;
  }
  if (response === null) {
    failed(card, file.name, "The file could not be sent to fic2book; is it still running?");
    return;
  }
  const data = await answer(response);
  if (!response.ok) {
    failed(card, file.name, data.error);
    return;
  }
  fillCard(card, data);
  announce("Read " + file.name + ": " + data.info.title + ".");
}

async function addFiles(files) {
  for (const file of files) {
    await upload(file);
  }
}

async function removeCard(card) {
  const id = card.dataset.id;
  if (id) {
    const response = await fetch("files/" + id, { method: "DELETE" });
    if (!response.ok && response.status !== 404) {
      const data = await answer(response);
      showError(card, data.error);
      return;
    }
    cards.delete(id);
    if (previewId === id) {
      document.getElementById("previews").hidden = true;
      previewId = null;
    }
  }
  const name = card.querySelector(".file-title").textContent;
  const next = card.nextElementSibling || card.previousElementSibling;
  card.remove();
  convertAll.disabled = cards.size === 0;
  announce("Removed " + name + ".");
  const focusTarget = next ? next.querySelector("button") : document.getElementById("file-input");
  focusTarget.focus();
}

function showProgress(card, job) {
  const box = card.querySelector(".progress");
  const bar = box.querySelector("progress");
  const step = box.querySelector(".step");
  box.hidden = false;
  bar.value = Math.round((100 * job.done) / job.total);
  bar.setAttribute("aria-label", "Progress of " + card.querySelector(".file-title").textContent);
  if (job.state === "done") {
    step.textContent = "Done.";
  } else if (job.state === "failed") {
    step.textContent = "Stopped.";
  } else if (job.current) {
    const doing = job.stage || "Making the " + job.current.toUpperCase();
    step.textContent = doing + " (book " + (job.done + 1) + " of " + job.total + ")…";
  } else {
    step.textContent = "Waiting…";
  }
}

function showDownloads(card, job) {
  const box = card.querySelector(".downloads");
  box.replaceChildren();
  for (const book of job.books) {
    const link = document.createElement("a");
    link.className = "button";
    link.href = "files/" + card.dataset.id + "/books/" + book.format;
    link.setAttribute("download", book.name);
    link.textContent = "Download " + book.format.toUpperCase();
    link.title = book.name;
    box.append(link);
  }
  if (job.books.length) {
    zipLink.hidden = false;
  }
}

async function convert(card) {
  const id = card.dataset.id;
  const title = card.querySelector(".file-title").textContent;
  const make = card.querySelector(".do-convert");
  showError(card, "");
  make.disabled = true;
  let response;
  for (;;) {
    response = await fetch("files/" + id + "/convert", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(settings()),
    });
    if (response.status !== 429) {
      break;
    }
    const busy = await answer(response);
    announce(busy.error);
    await sleep(2000);
  }
  let data = await answer(response);
  if (!response.ok) {
    showError(card, data.error);
    announce(title + ": " + data.error);
    make.disabled = false;
    return;
  }
  announce("Making the books of " + title + "…");
  while (data.job && (data.job.state === "queued" || data.job.state === "working")) {
    showProgress(card, data.job);
    await sleep(400);
    const poll = await fetch("files/" + id);
    data = await answer(poll);
    if (!poll.ok) {
      showError(card, data.error);
      make.disabled = false;
      return;
    }
  }
  showProgress(card, data.job);
  showDownloads(card, data.job);
  make.disabled = false;
  if (data.job.state === "failed") {
    showError(card, data.job.error);
    announce(title + ": " + data.job.error);
  } else {
    announce("The books of " + title + " are ready to download.");
  }
}

function showPreview(id, title) {
  previewId = id;
  const frame = document.getElementById("preview-frame");
  const page = document.getElementById("preview-page");
  const caption = document.getElementById("preview-page-caption");
  const params = query();
  document.getElementById("previews").hidden = false;
  document.getElementById("preview-note").textContent = "Preview of " + title + ".";
  frame.src = "files/" + id + "/preview?" + params;
  caption.textContent = "Laying out a page of the PDF…";
  page.alt = "";
  page.onload = () => {
    caption.textContent = "First page of the story (PDF)";
    page.alt = "The first page of " + title + " as the PDF will print it";
  };
  page.onerror = () => {
    caption.textContent = "The PDF page could not be shown.";
  };
  page.src = "files/" + id + "/page.png?" + params;
  announce("Showing the preview of " + title + ".");
}

document.getElementById("file-input").addEventListener("change", (event) => {
  const files = Array.from(event.target.files);
  event.target.value = "";
  addFiles(files);
});

const drop = document.getElementById("drop");
for (const name of ["dragenter", "dragover"]) {
  drop.addEventListener(name, (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
}
for (const name of ["dragleave", "drop"]) {
  drop.addEventListener(name, () => drop.classList.remove("over"));
}
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  addFiles(Array.from(event.dataTransfer.files));
});
// A file dropped beside the drop zone must not replace the page.
window.addEventListener("dragover", (event) => event.preventDefault());
window.addEventListener("drop", (event) => event.preventDefault());

convertAll.addEventListener("click", async () => {
  convertAll.disabled = true;
  for (const card of cards.values()) {
    await convert(card);
  }
  convertAll.disabled = cards.size === 0;
});

document.getElementById("cover-input").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) {
    return;
  }
  const response = await fetch("cover", { method: "POST", body: file });
  const data = await answer(response);
  if (response.ok) {
    form.querySelector('input[name="cover"][value="own"]').checked = true;
    announce("Your cover picture " + file.name + " will be used.");
  } else {
    event.target.value = "";
    announce(data.error);
  }
});

let refresh = null;
form.addEventListener("change", () => {
  if (previewId === null) {
    return;
  }
  clearTimeout(refresh);
  refresh = setTimeout(() => {
    const card = cards.get(previewId);
    if (card) {
      showPreview(previewId, card.querySelector(".file-title").textContent);
    }
  }, 300);
});
