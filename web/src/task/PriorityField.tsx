/** The priority, picked from a list whose options show the icon and the name (React Aria's Select). */
import { Button, Label, ListBox, ListBoxItem, Popover, Select, SelectValue } from 'react-aria-components';
import { PRIORITIES, PRIORITY_LABELS, type Priority } from '../api/types.ts';
import { FieldError } from '../components/FieldError.tsx';
import { PriorityBadge } from '../components/Planning.tsx';
import '../components/controls.css';

interface Props {
  value: Priority;
  onChange(priority: Priority): void;
  error: string | undefined;
  disabled?: boolean | undefined;
  id: string;
}

export function PriorityField({ value, onChange, error, disabled, id }: Props) {
  return (
    <div className="field">
      <Select
        className="priority-select"
        value={value}
        onChange={(key) => key !== null && onChange(key as Priority)}
        isDisabled={disabled}
        isInvalid={error !== undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        <Label>Priority</Label>
        <Button className="select-button" id={id}>
          <SelectValue />
          <span aria-hidden="true" className="select-chevron">
            ▾
          </span>
        </Button>
        <Popover className="popover" placement="bottom start">
          <ListBox className="listbox">
            {PRIORITIES.map((priority) => (
              <ListBoxItem
                key={priority}
                id={priority}
                textValue={PRIORITY_LABELS[priority]}
                className="option"
              >
                <PriorityBadge priority={priority} />
              </ListBoxItem>
            ))}
          </ListBox>
        </Popover>
      </Select>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
