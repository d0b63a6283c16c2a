/** The example Settings shows (and the README repeats): a memo made with curl, the key left for the user to paste. */
export const KEY_PLACEHOLDER = 'PASTE_YOUR_KEY_HERE';

export const curlExample = (address: string) =>
  `curl -X POST ${address}/api/v1/memo \\\n  -H "Authorization: Bearer ${KEY_PLACEHOLDER}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"text": "Hello from my agent.", "voice": "flite:slt"}'`;
