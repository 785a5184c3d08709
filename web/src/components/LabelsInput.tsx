/**
 * A set of labels, edited as planners expect: the labels as chips (each
 * removable by its button, or Delete/Backspace on the focused chip), and a
 * field below that adds what is typed on Enter or a comma, or a suggestion
 * picked from the labels already in use (GET /labels) that match what is typed. React Aria's
 * TagGroup and ComboBox give both their keyboard and screen-reader roles.
 */
import { type KeyboardEvent, useState } from 'react';
import {
  Button,
  ComboBox,
  Input,
  type Key,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Tag,
  TagGroup,
  TagList,
} from 'react-aria-components';
import { useLabelSuggestions } from '../api/labels.ts';
import { addLabels } from '../lib/planning.ts';
import { FieldError } from './FieldError.tsx';
import './controls.css';

interface Props {
  /** The group's name ("Labels") and the field's ("Add a label"). */
  label: string;
  inputLabel: string;
  value: readonly string[];
  onChange(labels: string[]): void;
  /** The server's message for the labels (a 422's). */
  error?: string | undefined;
  disabled?: boolean | undefined;
  id: string;
  emptyText: string;
}

const MAX_SUGGESTIONS = 50;

export function LabelsInput({ label, inputLabel, value, onChange, error, disabled, id, emptyText }: Props) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const suggestions = useLabelSuggestions();
  const typed = text.trim().toLowerCase();
  const taken = new Set(value.map((existing) => existing.toLowerCase()));
  // Suggestions once something is typed: a list that opened again after each added label would
  // cover the form's buttons below it.
  const offered =
    typed === ''
      ? []
      : suggestions
          .filter(
            (suggestion) => !taken.has(suggestion.toLowerCase()) && suggestion.toLowerCase().includes(typed),
          )
          .slice(0, MAX_SUGGESTIONS)
          .map((suggestion) => ({ id: suggestion }));

  const add = (input: string) => {
    const result = addLabels(value, input);
    if (result.labels.length !== value.length) onChange(result.labels);
    setProblem(result.problem);
    setText('');
  };
  const remove = (keys: Set<Key>) => {
    onChange(value.filter((existing) => !keys.has(existing)));
    setProblem(undefined);
  };
  // Before the combo box sees the key: Enter adds what is typed unless a suggestion is highlighted
  // (then the combo box picks it); a comma always ends a label, since a label cannot hold one.
  const onKeyDownCapture = (event: KeyboardEvent<HTMLDivElement>) => {
    const highlighted = (event.target as HTMLElement).getAttribute('aria-activedescendant');
    if (event.key === ',' || (event.key === 'Enter' && !highlighted && text.trim() !== '')) {
      event.preventDefault();
      event.stopPropagation();
      add(text);
    }
  };
  const message = problem ?? error;
  const errorId = `${id}-error`;
  return (
    <div className="field labels-input">
      <TagGroup onRemove={remove} className="tag-group" aria-describedby={message ? errorId : undefined}>
        <Label>{label}</Label>
        <TagList className="tag-list" renderEmptyState={() => <span className="empty">{emptyText}</span>}>
          {value.map((item) => (
            <Tag key={item} id={item} textValue={item} className="tag" isDisabled={disabled}>
              {item}
              {!disabled && (
                <Button slot="remove" className="tag-remove" aria-label={`Remove ${item}`}>
                  <span aria-hidden="true">×</span>
                </Button>
              )}
            </Tag>
          ))}
        </TagList>
      </TagGroup>
      <ComboBox
        className="label-combo"
        allowsCustomValue
        inputValue={text}
        onInputChange={setText}
        value={null}
        onChange={(key) => key !== null && add(String(key))}
        items={offered}
        isDisabled={disabled}
        isInvalid={message !== undefined}
      >
        <Label className="visually-hidden">{inputLabel}</Label>
        <div onKeyDownCapture={onKeyDownCapture}>
          <Input
            id={`${id}-input`}
            placeholder={`${inputLabel}: type, then Enter`}
            aria-describedby={message ? errorId : undefined}
            onBlur={() => text.trim() !== '' && add(text)}
          />
        </div>
        <Popover className="popover" placement="bottom start">
          <ListBox className="listbox">
            {(item: { id: string }) => (
              <ListBoxItem id={item.id} className="option">
                {item.id}
              </ListBoxItem>
            )}
          </ListBox>
        </Popover>
      </ComboBox>
      <FieldError id={errorId} message={message} />
    </div>
  );
}
