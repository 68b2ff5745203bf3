// The body of a GitHub release: what was deployed where, what changed, and the proof (content hash, run).

export function renderReleaseNotes(release: {
  subject: { name: string; version: string; environment: string; hash?: string };
  changes: string[];
  runUrl?: string;
}): string {
  const { subject } = release;
  const body = [
    `Deployed **${subject.name} ${subject.version}** to **${subject.environment}** by dify-gitops.`,
    '',
    '### Changes',
    ...release.changes.map((line) => `- ${line}`),
    '',
    subject.hash ? `DSL content sha256: \`${subject.hash}\`` : '',
    release.runUrl ? `Run: ${release.runUrl}` : '',
  ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
  return body.join('\n');
}
