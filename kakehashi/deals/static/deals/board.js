// Drag deals between stages on the kanban board. The server decides; the page follows.
(() => {
  const board = document.getElementById("deal-board");
  if (!board) return;
  const csrf = board.dataset.csrf;
  let dragged = null;

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest(".deal-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.setData("text/plain", card.dataset.deal);
    event.dataTransfer.effectAllowed = "move";
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    board.querySelectorAll(".drop-target").forEach((c) => c.classList.remove("drop-target"));
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest(".deal-column");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.add("drop-target");
  });
  board.addEventListener("dragleave", (event) => {
    const column = event.target.closest(".deal-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });
  board.addEventListener("drop", async (event) => {
    const column = event.target.closest(".deal-column");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const card = dragged;
    const body = new URLSearchParams({ stage: column.dataset.stage });
    const response = await fetch(card.dataset.move, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      credentials: "same-origin",
    });
    const result = await response.json().catch(() => ({}));
    if (result.close) {
      window.location.href = result.close;  // won or lost: a reason is required first
    } else if (response.ok) {
      column.querySelector(".deal-cards").prepend(card);
      refreshTotals();
    } else {
      window.alert(result.error || response.statusText);
    }
  });

  function refreshTotals() {
    board.querySelectorAll(".deal-column").forEach((column) => {
      const cards = column.querySelectorAll(".deal-card");
      let total = 0;
      cards.forEach((c) => { total += Number(c.dataset.amount || 0); });
      column.querySelector(".count").textContent = cards.length;
      column.querySelector(".total").textContent = "¥" + Math.round(total).toLocaleString("ja-JP");
    });
  }
})();
