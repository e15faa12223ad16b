// threadbare code browser: a small ES module, no build step.
// highlight.js (from the org.webjars:highlightjs WebJar) is loaded before as a classic script.

const branch = document.getElementById('branch');
if (branch) {
  branch.addEventListener('change', () => {
    if (branch.value) window.location.assign(branch.value);
  });
}

for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', async () => {
    const input = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand('copy');
    }
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });
}

const hljs = window.hljs;
if (hljs) {
  const source = document.getElementById('source');
  if (source) hljs.highlightElement(source);
  const blame = document.getElementById('blame');
  if (blame) {
    const language = blame.dataset.language;
    for (const code of blame.querySelectorAll('td.code code')) {
      const text = code.textContent;
      const result = language && hljs.getLanguage(language)
        ? hljs.highlight(text, { language, ignoreIllegals: true })
        : null;
      if (result) {
        code.innerHTML = result.value;
        code.classList.add('hljs');
      }
    }
  }
}
