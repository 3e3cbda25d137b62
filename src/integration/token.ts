/** Where an installation's access token is sealed: a token sealed for one installation does not open for another. */
export function installationTokenContext(installationId: string): string {
  return `${installationId}/installation/token`;
}
