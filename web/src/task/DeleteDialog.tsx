/** Delete asks first; the dialog names the task, and Cancel has the focus. */
import { Button, Dialog, DialogTrigger, Heading, Modal } from 'react-aria-components';

interface Props {
  title: string;
  pending: boolean;
  onDelete(): void;
}

export function DeleteButton({ title, pending, onDelete }: Props) {
  return (
    <DialogTrigger>
      <Button className="button danger">Delete</Button>
      <Modal isDismissable className="modal">
        <Dialog className="dialog" role="alertdialog">
          {({ close }) => (
            <>
              <Heading slot="title">Delete “{title}”?</Heading>
              <p>The task is removed for everyone. This cannot be undone.</p>
              <div className="actions">
                <Button className="button" onPress={close} autoFocus>
                  Cancel
                </Button>
                <Button className="button danger" isDisabled={pending} onPress={onDelete}>
                  Delete task
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}
