// Before the first paint: the theme the user chose (or the system's), so a dark page does not flash light.
try {
  const choice = localStorage.getItem('parley.theme');
  const dark = choice === 'dark' || (choice !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
} catch {
  // Storage off: the page follows the system through the app once it loads.
}
