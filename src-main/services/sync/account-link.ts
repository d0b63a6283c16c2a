/**
 * The link between this profile and an account on the service: sign in with email and password, or paste a
 * session token; the token lives in the keychain only. Linking to an account whose email is not the profile's
 * (compared without regard to case) asks first. A session the service refuses pauses sync until the next sign-in;
 * nothing waiting in the outbox is lost.
 */
import type { AccountView, LinkResult } from '../../../src-shared/contract/sync';
import type { AgentTalkStore } from '../../db';
import type { createAccountService } from '../accounts';
import { ServiceError } from '../errors';
import type { SecretStore } from '../secrets';
import { Account, Login, Me } from './answers';
import { CloudCallError, type CloudCaller } from './cloud-call';
import type { CloudLink, SyncStateStore } from './state';

export interface AccountLinkDeps {
  store: AgentTalkStore;
  secrets: SecretStore;
  caller: CloudCaller;
  state: SyncStateStore;
  accounts: ReturnType<typeof createAccountService>;
  cloudUrl: () => string | null;
  /** Called once linked: sync runs. */
  linked?: () => void;
}

/** The keychain entry of the profile's session token (per profile user: several profiles share one keychain). */
export const sessionAccount = (userId: string) => `cloud-session:${userId}`;

function unavailable(error: unknown): never {
  if (!(error instanceof CloudCallError)) throw error;
  if (error.kind === 'offline') throw new ServiceError('CLOUD_UNAVAILABLE', `${error.message} Try again when it is reachable.`);
  if (error.kind === 'not-offered') {
    throw new ServiceError('NOT_OFFERED', 'This service does not offer sign-in with an email and password yet: paste a session token from its own sign-in instead.');
  }
  throw new ServiceError('SIGN_IN_NEEDED', error.kind === 'sign-in' ? 'The service did not accept that session token.' : error.message);
}

export function createAccountLink({ store, secrets, caller, state, accounts, cloudUrl, linked = () => {} }: AccountLinkDeps) {
  const serviceUrl = () => {
    const url = cloudUrl();
    if (url === null) throw new ServiceError('CLOUD_UNAVAILABLE', 'Set the Agent Talk cloud URL first: the account is on that service.');
    return url;
  };

  async function view(): Promise<AccountView> {
    const user = accounts.current();
    const link = state.link();
    const token = user ? await secrets.get(sessionAccount(user.id)) : null;
    return {
      signedIn: token !== null && link !== null,
      serviceUrl: link?.serviceUrl ?? null,
      accountId: link?.accountId ?? null,
      email: link?.email ?? null,
      signInNeeded: link?.signInNeeded ?? false,
    };
  }

  /** Links with `token` to the account (null when the service cannot say which); asks first when the email differs. */
  async function link(token: string, account: { id: string; email: string } | null, confirm: boolean): Promise<LinkResult> {
    const url = serviceUrl();
    const user = accounts.require();
    const previous = state.link();
    const sameAccount = account !== null && previous?.accountId === account.id;
    if (account && !confirm && !sameAccount && account.email.toLowerCase() !== user.email.toLowerCase()) {
      return { status: 'confirm', accountEmail: account.email, profileEmail: user.email };
    }
    await secrets.set(sessionAccount(user.id), token);
    const next: CloudLink = { serviceUrl: url, accountId: account?.id ?? previous?.accountId ?? null, email: account?.email ?? previous?.email ?? null, signInNeeded: false };
    await state.setLink(next);
    // The account's email is the service's: the profile takes it (the user agreed when it differed).
    if (account && account.email !== user.email && !store.query('users', { email: account.email })[0]) await store.update('users', user.id, { email: account.email });
    linked();
    return { status: 'linked', account: await view() };
  }

  return {
    view,

    async signIn(email: string, password: string, confirm = false): Promise<LinkResult> {
      serviceUrl();
      const answer = await caller.call({ method: 'POST', path: '/api/v1/auth/login', body: { email, password }, credentials: true }, Login).catch((error: unknown) => {
        if (error instanceof CloudCallError && error.kind === 'refused') throw new ServiceError('SIGN_IN_NEEDED', 'The service did not accept that email and password.');
        return unavailable(error);
      });
      return link(answer.token, answer.user, confirm);
    },

    /** A pasted token: the service says whose it is (its account route, else `/auth/me`), when it offers either. */
    async useToken(token: string, confirm = false): Promise<LinkResult> {
      serviceUrl();
      let account: { id: string; email: string } | null = null;
      try {
        account = (await caller.call({ method: 'GET', path: '/api/v1/dashboard/account', token }, Account)).account;
      } catch (error) {
        if (!(error instanceof CloudCallError && error.kind === 'not-offered')) unavailable(error);
        account = await caller.call({ method: 'GET', path: '/api/v1/auth/me', token }, Me).then(
          (me) => me.user,
          (failure: unknown) => (failure instanceof CloudCallError && failure.kind === 'not-offered' ? null : unavailable(failure)),
        );
      }
      return link(token, account, confirm);
    },

    async signOut(): Promise<AccountView> {
      const user = accounts.require();
      await secrets.delete(sessionAccount(user.id));
      await state.setLink(null);
      return view();
    },

    /** The session token, or null when signed out, paused for a new sign-in, or linked to another service than the cloud URL. */
    async token(): Promise<string | null> {
      const user = accounts.current();
      const link = state.link();
      if (!user || !link || link.signInNeeded || link.serviceUrl !== cloudUrl()) return null;
      return secrets.get(sessionAccount(user.id));
    },

    /** The service refused the session: sync pauses until the user signs in again. */
    async refused(): Promise<void> {
      const link = state.link();
      if (link && !link.signInNeeded) await state.setLink({ ...link, signInNeeded: true });
    },
  };
}

export type AccountLink = ReturnType<typeof createAccountLink>;
