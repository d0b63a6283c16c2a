/** The player's button icons (24×24, drawn in the text colour); the buttons carry the names. */
const Icon = ({ d }: { d: string }) => (
  <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
    <path d={d} fill="currentColor" />
  </svg>
);

export const PlayIcon = () => <Icon d="M8 5v14l11-7z" />;
export const PauseIcon = () => <Icon d="M6 5h4v14H6zm8 0h4v14h-4z" />;
export const PreviousIcon = () => <Icon d="M6 6h2v12H6zm3.5 6 8.5 6V6z" />;
export const NextIcon = () => <Icon d="M16 6h2v12h-2zM6 18l8.5-6L6 6z" />;
