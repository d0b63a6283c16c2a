import type { MemoView } from '../../../src-shared/contract';
import { memoTitle } from '../../format';
import { useMemos } from '../../stores';
import { RenameDialog } from '../../ui/RenameDialog';

/** A modal form for a memo's new title (at most 200 characters). */
export function RenameMemo({ memo, onClose }: { memo: MemoView; onClose(): void }) {
  const rename = useMemos((state) => state.rename);
  return (
    <RenameDialog
      current={memoTitle(memo)}
      label="New title"
      emptyError="A title can’t be empty."
      maxLength={200}
      onRename={(title) => rename(memo.id, title)}
      onClose={onClose}
    />
  );
}
