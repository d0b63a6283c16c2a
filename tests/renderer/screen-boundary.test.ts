// @vitest-environment happy-dom
/**
 * The screen error boundary on its own, in a DOM (happy-dom): a screen that throws while drawing says what failed,
 * the navigation next to it keeps working, and "Try again" draws the screen afresh. The app's screens are not
 * used: a stand-in screen fails on demand, inside the same frame App.tsx gives them (navigation, a boundary keyed
 * by screen).
 */
import { act, createElement, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScreenBoundary } from '../../src-renderer/ui/ScreenBoundary';

// React's act() warns unless told this is a test environment.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** Whether the Usage stand-in fails while drawing, as the real one did on a new profile. */
let usageFails = true;

function UsageScreen(): ReactNode {
  if (usageFails) throw new TypeError("Cannot read properties of undefined (reading 'date')");
  return createElement('p', null, 'Calls per day');
}

const SettingsScreen = (): ReactNode => createElement('p', null, 'Theme and cloud URL');

const SCREENS = { Usage: UsageScreen, Settings: SettingsScreen } as const;
type ScreenName = keyof typeof SCREENS;

/** The app's frame: a navigation, and the current screen inside a boundary keyed by it. */
function render(root: Root, screen: ScreenName, go: (screen: ScreenName) => void): void {
  const nav = createElement(
    'nav',
    { 'aria-label': 'Screens' },
    (Object.keys(SCREENS) as ScreenName[]).map((name) => createElement('button', { key: name, type: 'button', onClick: () => go(name) }, name)),
  );
  const main = createElement('main', null, createElement(ScreenBoundary, { key: screen, screen, children: createElement(SCREENS[screen]) }));
  act(() => root.render(createElement('div', null, nav, main)));
}

let container: HTMLElement;
let root: Root;
let screen: ScreenName;

function go(next: ScreenName): void {
  screen = next;
  render(root, screen, go);
}

const button = (name: string) => [...container.querySelectorAll('button')].find((b) => b.textContent === name)!;
const click = (name: string) => act(() => button(name).click());

beforeEach(() => {
  usageFails = true;
  // A failing screen is reported on the console (by React, and by the boundary); the test reads the page instead.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  go('Usage');
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.restoreAllMocks();
});

describe('ScreenBoundary', () => {
  it('says which screen failed and what failed, as an alert', () => {
    const alert = container.querySelector('main [role="alert"]');
    expect(alert?.querySelector('h2')?.textContent).toBe('The Usage screen could not be shown');
    expect(alert?.textContent).toContain("Cannot read properties of undefined (reading 'date')");
    expect(button('Try again')).toBeDefined();
  });

  it('leaves the navigation working: another screen shows, and the failed one is tried afresh on coming back', () => {
    click('Settings');
    expect(container.querySelector('main')?.textContent).toBe('Theme and cloud URL');
    expect(container.querySelector('[role="alert"]')).toBeNull();

    usageFails = false;
    click('Usage');
    expect(container.querySelector('main')?.textContent).toBe('Calls per day');
  });

  it('draws the screen again on "Try again", and says so again if it still fails', () => {
    click('Try again');
    expect(container.querySelector('main [role="alert"]')?.textContent).toContain('could not be shown');

    usageFails = false;
    click('Try again');
    expect(container.querySelector('[role="alert"]')).toBeNull();
    expect(container.querySelector('main')?.textContent).toBe('Calls per day');
  });
});
