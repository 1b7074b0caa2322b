import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, output } from '@azure/functions';

import { replayDeadLetters, replayRequestSchema } from '../replay/replayDeadLetters';
import { apiDeps } from './deps';
import { HttpError, withProblems } from './errors';
import { fieldErrors, readJson } from './validate';

/** The events hub, through the app's connection: the app needs the Data Sender role on it (infra/modules/rbac.bicep). */
export const eventsHubOutput = output.eventHub({ connection: 'EventHubConnection', eventHubName: '%EVENTHUB_NAME%' });

/** POST /api/deadletters/replay (docs/how-to/dead-letters.md). */
export async function replay(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJson(request);
  const parsed = replayRequestSchema.safeParse(body ?? {});
  if (!parsed.success) throw HttpError.badRequest(fieldErrors(parsed.error, body));
  const deps = apiDeps();
  const answer = await replayDeadLetters(
    deps.stores,
    parsed.data,
    (messages) => context.extraOutputs.set(eventsHubOutput, messages),
    deps.now(),
  );
  if ('invalidFix' in answer) throw HttpError.badRequest([{ field: 'fix', message: `fix: ${answer.invalidFix}` }]);
  context.log(
    `replay ${answer.replayId}: ${answer.selected} selected, ${answer.sent} sent, ${answer.alreadyApplied} already applied, ${answer.fixFailed.length} fix failed${answer.dryRun ? ' (dry run)' : ''}`,
  );
  return { jsonBody: answer };
}

app.http('replayDeadLetters', {
  methods: ['POST'],
  authLevel: 'admin',
  route: 'deadletters/replay',
  extraOutputs: [eventsHubOutput],
  handler: withProblems(replay),
});
