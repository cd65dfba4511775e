// Asks before a form with data-confirm is sent (deleting a study). A file
// of its own, because the workspace's Content-Security-Policy runs no inline script.
document.addEventListener("submit", (event) => {
  const question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
