FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# npm workspaces (packages/*): `npm ci` needs each workspace's package.json to link it into node_modules.
COPY package.json package-lock.json ./
COPY packages/telephony-simulator/package.json ./packages/telephony-simulator/
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY packages ./packages
COPY src ./src
COPY ivr-flows ./ivr-flows
USER node
EXPOSE 8080
# --no-memory-reducer, --max-semi-space-size=64: as `npm start` (README "Operations"): no heap shrinking
# while idle, which slowed the first seconds after a pause; a young generation large enough that fewer
# collections copy the requests in flight.
CMD ["node", "--no-memory-reducer", "--max-semi-space-size=64", "--import", "tsx", "src/main.ts"]
