FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY ivr-flows ./ivr-flows
USER node
EXPOSE 8080
# --no-memory-reducer: as `npm start` (README "Operations"): no heap shrinking while idle, which slowed the
# first seconds after a pause.
CMD ["node", "--no-memory-reducer", "--import", "tsx", "src/main.ts"]
