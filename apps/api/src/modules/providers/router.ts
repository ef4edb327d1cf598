// providers.*: the user's AI providers. Keys go in; only their hints come out.
import { protectedProcedure, publicProcedure, rest, router } from '../../shared/trpc.ts';
import {
  CreateProviderInput,
  DeleteProviderOutput,
  IdInput,
  KindsOutput,
  ModelsOutput,
  ProviderListOutput,
  ProviderSchema,
  TestProviderOutput,
  UpdateProviderInput,
} from './schema.ts';
import * as service from './service.ts';

export const providersRouter = router({
  /** The kinds of provider Parley can talk to, and what each needs. */
  kinds: publicProcedure
    .meta(rest('GET', '/provider-kinds', 'providers', false))
    .output(KindsOutput)
    .query(() => service.listKinds()),

  /** The user's providers, oldest first. */
  list: protectedProcedure
    .meta(rest('GET', '/providers', 'providers'))
    .output(ProviderListOutput)
    .query(({ ctx }) => service.listProviders({ db: ctx.db, userId: ctx.user.id })),

  /** One of the user's providers. */
  get: protectedProcedure
    .meta(rest('GET', '/providers/{id}', 'providers'))
    .input(IdInput)
    .output(ProviderSchema)
    .query(({ ctx, input }) => service.getProvider({ db: ctx.db, userId: ctx.user.id, id: input.id })),

  /** Adds a provider; its key is encrypted before it is stored. A user's first provider becomes their default. */
  create: protectedProcedure
    .meta(rest('POST', '/providers', 'providers'))
    .input(CreateProviderInput)
    .output(ProviderSchema)
    .mutation(({ ctx, input }) =>
      service.createProvider({
        db: ctx.db,
        userId: ctx.user.id,
        keyring: ctx.config.encryptionKeys,
        policy: ctx.outbound.policy,
        input,
      }),
    ),

  /** Changes a provider: name, base URL, default model, or its key (replaced or removed). */
  update: protectedProcedure
    .meta(rest('PATCH', '/providers/{id}', 'providers'))
    .input(UpdateProviderInput)
    .output(ProviderSchema)
    .mutation(({ ctx, input }) =>
      service.updateProvider({
        db: ctx.db,
        userId: ctx.user.id,
        keyring: ctx.config.encryptionKeys,
        policy: ctx.outbound.policy,
        input,
      }),
    ),

  /** Removes a provider and its key; when it was the default, the oldest remaining provider becomes the default. */
  delete: protectedProcedure
    .meta(rest('DELETE', '/providers/{id}', 'providers'))
    .input(IdInput)
    .output(DeleteProviderOutput)
    .mutation(({ ctx, input }) => service.deleteProvider({ db: ctx.db, userId: ctx.user.id, id: input.id })),

  /** Calls the provider for real and reports whether it answers, how fast, and its models. */
  test: protectedProcedure
    .meta(rest('POST', '/providers/{id}/test', 'providers'))
    .input(IdInput)
    .output(TestProviderOutput)
    .mutation(({ ctx, input }) =>
      service.testProvider({
        db: ctx.db,
        userId: ctx.user.id,
        id: input.id,
        keyring: ctx.config.encryptionKeys,
        outbound: ctx.outbound,
      }),
    ),

  /** The provider's model ids. */
  models: protectedProcedure
    .meta(rest('GET', '/providers/{id}/models', 'providers'))
    .input(IdInput)
    .output(ModelsOutput)
    .query(({ ctx, input }) =>
      service.listProviderModels({
        db: ctx.db,
        userId: ctx.user.id,
        id: input.id,
        keyring: ctx.config.encryptionKeys,
        outbound: ctx.outbound,
      }),
    ),
});
