export function App() {
  return (
    <main>
      <h1>Agent Talk</h1>
    </main>
  );
}
