/** Shows what someone else changed, next to this person's version; they choose which one stands. */
import { Button, Dialog, Heading, Modal } from 'react-aria-components';
import { PRIORITY_LABELS, type Priority, STATUS_LABELS, type Status } from '../api/types.ts';
import { formatDue } from '../lib/dates.ts';
import type { EditableField, FieldConflict } from './conflict.ts';

const FIELD_LABELS: Record<EditableField, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  due_at: 'Due',
  priority: 'Priority',
  labels: 'Labels',
};

function shown({ field }: FieldConflict, value: FieldConflict['mine']): string {
  if (field === 'status') return STATUS_LABELS[value as Status];
  if (field === 'priority') return PRIORITY_LABELS[value as Priority];
  if (field === 'labels') return (value as string[]).join(', ') || '(none)';
  if (field === 'due_at') return value === null ? '(none)' : formatDue(value as string);
  return (value as string | null) ?? '(empty)';
}

interface Props {
  conflicts: FieldConflict[] | undefined;
  onKeepMine(): void;
  onTakeTheirs(): void;
}

export function ConflictDialog({ conflicts, onKeepMine, onTakeTheirs }: Props) {
  return (
    <Modal isOpen={conflicts !== undefined} isDismissable={false} className="modal">
      <Dialog className="dialog wide" role="alertdialog">
        <Heading slot="title">Someone else changed this task</Heading>
        <p>While you were editing, the task was saved by someone else. Choose which version to keep.</p>
        <table className="conflict-table">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Yours</th>
              <th scope="col">Theirs (saved)</th>
            </tr>
          </thead>
          <tbody>
            {(conflicts ?? []).map((conflict) => (
              <tr key={conflict.field}>
                <th scope="row">{FIELD_LABELS[conflict.field]}</th>
                <td className="pre">{shown(conflict, conflict.mine)}</td>
                <td className="pre">{shown(conflict, conflict.theirs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <Button className="button primary" onPress={onKeepMine} autoFocus>
            Keep mine
          </Button>
          <Button className="button" onPress={onTakeTheirs}>
            Take theirs
          </Button>
        </div>
      </Dialog>
    </Modal>
  );
}
