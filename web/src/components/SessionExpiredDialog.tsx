/** The session ended: sign in again and come back to this very view (drafts are kept in the tab). */
import { Button, Dialog, Heading, Modal } from 'react-aria-components';
import { useAuth } from '../auth/AuthContext.tsx';

export function SessionExpiredDialog() {
  const auth = useAuth();
  return (
    <Modal
      isOpen={auth.expired}
      isDismissable={false}
      className="modal"
      UNSTABLE_portalContainer={document.body}
    >
      <Dialog className="dialog" role="alertdialog">
        <Heading slot="title">Your session has ended</Heading>
        <p>Sign in again to continue. You will come back to this page, and what you typed is kept.</p>
        <Button className="button primary" autoFocus onPress={() => void auth.signIn()}>
          Sign in again
        </Button>
      </Dialog>
    </Modal>
  );
}
