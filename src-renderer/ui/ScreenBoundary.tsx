import { Component, type ReactNode } from 'react';

interface Props {
  /** The screen's name, as the navigation shows it. */
  screen: string;
  children: ReactNode;
}

interface State {
  failure: Error | null;
}

/**
 * Keeps a screen that fails while drawing from taking the whole window with it: the navigation, the player and the
 * other screens keep working, and the screen says what failed and offers to try again.
 */
export class ScreenBoundary extends Component<Props, State> {
  override state: State = { failure: null };

  static getDerivedStateFromError(failure: unknown): State {
    return { failure: failure instanceof Error ? failure : new Error(String(failure)) };
  }

  override componentDidCatch(failure: unknown): void {
    console.warn(`The ${this.props.screen} screen failed:`, failure);
  }

  override render() {
    const { failure } = this.state;
    if (!failure) return this.props.children;
    return (
      <section className="card screen-failed" role="alert" aria-labelledby="screen-failed-title">
        <h2 id="screen-failed-title">The {this.props.screen} screen could not be shown</h2>
        <p>
          Something in it failed: <code>{failure.message}</code>. The rest of the app still works: use the other screens, or
          try this one again.
        </p>
        <button type="button" onClick={() => this.setState({ failure: null })}>
          Try again
        </button>
      </section>
    );
  }
}
